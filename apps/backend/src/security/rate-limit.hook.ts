import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DEFAULT_IPV6_SUBNET_PREFIX, getStorageToken, normalizeIp } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, HookHandlerDoneFunction } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { BatchedThrottlerStorage, ThrottlerStorageRecord } from './batched-throttler.storage';

/**
 * The budget's key for an address: IPv6 clients share their /64. Without ':' or '%' an address is
 * IPv4 (or not an address) and normalizeIp would return it unchanged, so most requests skip its
 * parse.
 */
export function clientKey(ip: string): string {
  return ip.includes(':') || ip.includes('%') ? normalizeIp(ip, DEFAULT_IPV6_SUBNET_PREFIX) : ip;
}

/** The API is limited; probes, scrapes and the web front's static files are not. */
const LIMITED_PATH = /^\/api(\/|\?|$)/;

// The storage's name for the budget: 'default' keeps the standard header names, without a suffix.
const THROTTLER = 'default';

/**
 * One budget per client address for the whole API (not per route), so a client can't multiply its
 * allowance by spreading requests over endpoints — unmatched /api paths included, so a scanner's
 * 404s count too. The address is Fastify's `request.ip`, which honours X-Forwarded-For only from
 * TRUST_PROXY's proxies; IPv6 clients share their /64, as they get a whole one from their provider.
 *
 * A Fastify onRequest hook rather than @nestjs/throttler's guard: the guard's metadata lookups and
 * awaited option resolutions cost a fifth of a cached read, more than counting the hit itself. Same
 * storage (BatchedThrottlerStorage, over Redis or this process: throttler-storage.factory.ts), same
 * headers and 429.
 */
@Injectable()
export class RateLimitHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(getStorageToken()) private readonly storage: BatchedThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const { max, ttlSeconds } = this.config.security.rateLimit;
    const ttlMs = ttlSeconds * 1000;
    const answer = (hit: ThrottlerStorageRecord, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (hit.isBlocked) {
        // Replying from a callback hook ends the request there: `done` must then not be called.
        void reply
          .code(429)
          .header('retry-after', hit.timeToBlockExpire)
          .header('content-type', 'application/json; charset=utf-8')
          .send({
            statusCode: 429,
            error: 'Too Many Requests',
            message: `Too many requests: at most ${max} per ${ttlSeconds} s per client; retry in ${hit.timeToBlockExpire} s`,
          });
        return;
      }
      void reply
        .header('x-ratelimit-limit', max)
        .header('x-ratelimit-remaining', Math.max(0, max - hit.totalHits))
        .header('x-ratelimit-reset', hit.timeToExpire);
      done();
    };
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!LIMITED_PATH.test(request.url)) return done();
      // The storage prefixes the key with the throttler's name itself.
      const client = clientKey(request.ip);
      // A client this replica already counts is decided at once; a promise only for the others.
      const known = this.storage.hitNow(client, THROTTLER);
      if (known) return answer(known, reply, done);
      this.storage.increment(client, ttlMs, max, ttlMs, THROTTLER).then((hit) => answer(hit, reply, done), done);
    });
  }
}
