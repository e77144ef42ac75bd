import { DynamicModule, Module } from '@nestjs/common';
import { getStorageToken } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RateLimitHook } from './rate-limit.hook';
import { createThrottlerStorage } from './throttler-storage.factory';

/**
 * The app-level rate limit (RATE_LIMIT_MAX requests per RATE_LIMIT_TTL_SECONDS per client IP).
 * nginx limits first at the edge; this one also holds for traffic that reaches a replica directly
 * and, through Redis, across replicas. Security headers and CORS are applied by applyHttpHardening.
 */
@Module({})
export class SecurityModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (config.security.rateLimit.max === 0) return { module: SecurityModule };
    return {
      module: SecurityModule,
      providers: [{ provide: getStorageToken(), inject: [APP_CONFIG], useFactory: createThrottlerStorage }, RateLimitHook],
    };
  }
}
