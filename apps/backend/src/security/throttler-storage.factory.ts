import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { BatchedThrottlerStorage } from './batched-throttler.storage';
import { FallbackThrottlerStorage } from './fallback-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Redis when REDIS_URL is set (limits shared by every replica), process memory otherwise. With
 * RATE_LIMIT_SYNC_MS, hits are counted locally and synced in batches; at 0 each request awaits Redis.
 * Nest calls the storage's onApplicationShutdown (it is a provider), which closes the client.
 */
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
    // Concurrent requests (sync 0) or a sync's batches, one per client, share one socket write.
    enableAutoPipelining: true,
  });
  // Failures surface (throttled) through the storages' warning when a command fails.
  client.on('error', () => undefined);
  const shared = new RedisThrottlerStorage(client);
  const close = () => client.disconnect(false);
  const { syncMs } = config.security.rateLimit;
  return syncMs === 0 ? new FallbackThrottlerStorage(shared, close) : new BatchedThrottlerStorage(shared, syncMs, close);
}
