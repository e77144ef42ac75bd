import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

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

export interface BearerRequirement {
  /** The configured token; undefined switches the protected routes off (403). */
  expected: string | undefined;
  /** The variable that configures it, named in the messages. */
  variable: string;
  /** What the routes are, for the 403: "Writes are", "The alert webhook is". */
  feature: string;
  realm: string;
}

/** Passes a request carrying `Authorization: Bearer <expected>`; otherwise throws the 401 or 403 that says why. */
export function requireBearer(context: ExecutionContext, requirement: BearerRequirement): true {
  const { expected, variable, feature, realm } = requirement;
  if (!expected) throw new ForbiddenException(`${feature} disabled: ${variable} is not configured on the server`);
  const http = context.switchToHttp();
  const given = bearerToken(http.getRequest<FastifyRequest>().headers.authorization);
  if (!given || !tokensMatch(given, expected)) {
    void http.getResponse<FastifyReply>().header('www-authenticate', `Bearer realm="${realm}"`);
    throw new UnauthorizedException(given ? 'Invalid bearer token' : `Missing bearer token: send Authorization: Bearer <${variable}>`);
  }
  return true;
}
