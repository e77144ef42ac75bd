import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Hashing first gives equal-length buffers, so the comparison time says nothing about the token. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Writes need `Authorization: Bearer <API_ADMIN_TOKEN>`; without a configured token, writes are off. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.security.adminToken;
    if (!expected) {
      throw new ForbiddenException('Writes are disabled: API_ADMIN_TOKEN is not configured on the server');
    }
    const http = context.switchToHttp();
    const given = bearerToken(http.getRequest<FastifyRequest>().headers.authorization);
    if (!given || !tokensMatch(given, expected)) {
      void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="ecosyste"');
      throw new UnauthorizedException(given ? 'Invalid admin token' : 'Missing bearer token: send Authorization: Bearer <API_ADMIN_TOKEN>');
    }
    return true;
  }
}
