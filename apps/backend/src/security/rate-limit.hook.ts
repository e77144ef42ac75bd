import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DEFAULT_IPV6_SUBNET_PREFIX, getStorageToken, normalizeIp, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The API is limited; probes, scrapes and the web front's static files are not. */
const LIMITED_PATH = /^\/api(\/|\?|$)/;

// The storages' name for the budget: 'default' keeps the standard header names, without a suffix.
const THROTTLER = 'default';

/**
 * One budget per client address for the whole API (not per route), so a client can't multiply its
 * allowance by spreading requests over endpoints — unmatched /api paths included, so a scanner's
 * 404s count too. The address is Fastify's `request.ip`, which honours X-Forwarded-For only from
 * TRUST_PROXY's proxies; IPv6 clients share their /64, as they get a whole one from their provider.
 *
 * A Fastify onRequest hook rather than @nestjs/throttler's guard: the guard's metadata lookups and
 * awaited option resolutions cost a fifth of a cached read, more than counting the hit itself. Same
 * storages (in memory, or Redis-shared: throttler-storage.factory.ts), same headers and 429.
 */
@Injectable()
export class RateLimitHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const { max, ttlSeconds } = this.config.security.rateLimit;
    const ttlMs = ttlSeconds * 1000;
    fastify.addHook('onRequest', async (request, reply) => {
      if (!LIMITED_PATH.test(request.url)) return;
      // The storages prefix the key with the throttler's name themselves.
      const hit = await this.storage.increment(normalizeIp(request.ip, DEFAULT_IPV6_SUBNET_PREFIX), ttlMs, max, ttlMs, THROTTLER);
      if (hit.isBlocked) {
        return reply
          .code(429)
          .header('retry-after', hit.timeToBlockExpire)
          .header('content-type', 'application/json; charset=utf-8')
          .send({
            statusCode: 429,
            error: 'Too Many Requests',
            message: `Too many requests: at most ${max} per ${ttlSeconds} s per client; retry in ${hit.timeToBlockExpire} s`,
          });
      }
      void reply
        .header('x-ratelimit-limit', max)
        .header('x-ratelimit-remaining', Math.max(0, max - hit.totalHits))
        .header('x-ratelimit-reset', hit.timeToExpire);
    });
  }
}
