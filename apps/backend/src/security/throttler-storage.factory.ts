import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { FallbackThrottlerStorage } from './fallback-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** Redis when REDIS_URL is set (limits shared by every replica), process memory otherwise. */
export function createThrottlerStorage(config: AppConfig): ThrottlerStorage {
  if (!config.redis.url) return new ThrottlerStorageService();
  // Tuned like the cache's client: while Redis is down commands fail at once (no offline queue,
  // no retries, a short timeout) and the fallback counts locally; reconnection runs in the background.
  const client = new Redis(config.redis.url, {
    keyPrefix: `${config.redis.keyPrefix}ratelimit:`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Every API request increments a counter: concurrent requests share one socket write.
    enableAutoPipelining: true,
  });
  // Failures surface (throttled) through the fallback's warning when a command fails.
  client.on('error', () => undefined);
  return new FallbackThrottlerStorage(new RedisThrottlerStorage(client), () => client.disconnect(false));
}
