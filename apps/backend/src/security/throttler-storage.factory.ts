import { failFastRedis } from '../common/redis-client';
import { AppConfig } from '../config/app-config';
import { BatchedThrottlerStorage } from './batched-throttler.storage';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Redis when REDIS_URL is set (limits shared by every replica), process memory otherwise. Hits are
 * counted locally and synced every RATE_LIMIT_SYNC_MS; at 0 each request awaits Redis instead.
 * Nest calls the storage's onApplicationShutdown (it is a provider), which closes the client.
 */
export function createThrottlerStorage(config: AppConfig): BatchedThrottlerStorage {
  // Without Redis the counts live in this process, under the same storage and the same rules.
  if (!config.redis.url) return new BatchedThrottlerStorage(new MemoryThrottlerStorage(), config.security.rateLimit.syncMs, () => undefined);
  // Like the cache's client: while Redis is down commands fail at once and the storage counts
  // locally (reporting it, throttled); concurrent requests or a sync's batches share one write.
  const client = failFastRedis(config.redis.url, `${config.redis.keyPrefix}ratelimit:`);
  const shared = new RedisThrottlerStorage(client);
  const close = () => client.disconnect(false);
  return new BatchedThrottlerStorage(shared, config.security.rateLimit.syncMs, close);
}
