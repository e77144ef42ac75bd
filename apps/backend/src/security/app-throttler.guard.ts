import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** Probes and scrapes come from infrastructure at a steady rate and must never be refused. */
const EXEMPT_PATH = /^\/(health|metrics)(\/|\?|$)/;

/**
 * One budget per client address for the whole API (not per route, the library's default), so a
 * client can't multiply its allowance by spreading requests over endpoints. The address is
 * Fastify's `request.ip`, which honours X-Forwarded-For only from TRUST_PROXY's proxies.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ url?: string }>();
    return EXEMPT_PATH.test(request.url ?? '');
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
