import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, ThrottlerModuleOptions } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppThrottlerGuard } from './app-throttler.guard';
import { createThrottlerStorage } from './throttler-storage.factory';

/**
 * The app-level rate limit (RATE_LIMIT_MAX requests per RATE_LIMIT_TTL_SECONDS per client IP).
 * nginx limits first at the edge; this one also holds for traffic that reaches a replica directly
 * and, through Redis, across replicas. Helmet and CORS are registered by applyHttpHardening.
 */
@Module({})
export class SecurityModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (config.security.rateLimit.max === 0) return { module: SecurityModule };
    const providers: Provider[] = [
      {
        provide: getOptionsToken(),
        inject: [APP_CONFIG],
        useFactory: ({ security }: AppConfig): ThrottlerModuleOptions => ({
          // 'default' keeps the standard header names (Retry-After, X-RateLimit-Limit), without a suffix.
          throttlers: [{ name: 'default', limit: security.rateLimit.max, ttl: security.rateLimit.ttlSeconds * 1000 }],
          errorMessage: (_context, detail) =>
            `Too many requests: at most ${detail.limit} per ${security.rateLimit.ttlSeconds} s per client; retry in ${detail.timeToBlockExpire} s`,
        }),
      },
      { provide: getStorageToken(), inject: [APP_CONFIG], useFactory: createThrottlerStorage },
      { provide: APP_GUARD, useClass: AppThrottlerGuard },
    ];
    return { module: SecurityModule, providers };
  }
}
