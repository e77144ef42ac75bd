import Redis from 'ioredis';

/** Reconnection in the background, every 0.2 s at first, then every 2 s, for as long as it takes. */
export const redisRetryStrategy = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * A Redis client for work that must never wait on Redis (cache reads, rate-limit counts): while
 * Redis is down its commands fail at once (no offline queue, no retries), a hung server can't hold
 * a request past a short command timeout, and it reconnects in the background. Concurrent commands
 * share one socket write (auto-pipelining). Connection errors are not logged here: callers see
 * failing commands and report them, throttled.
 */
export function failFastRedis(url: string, keyPrefix: string): Redis {
  const client = new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2000,
    retryStrategy: redisRetryStrategy,
    enableAutoPipelining: true,
  });
  client.on('error', () => undefined);
  return client;
}
