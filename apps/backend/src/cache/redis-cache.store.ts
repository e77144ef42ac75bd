import Redis from 'ioredis';
import { CacheStore } from './cache.store';

/**
 * Shared cache across replicas. Tuned so that a Redis outage costs a request nothing but a cache
 * miss: no offline queue (commands fail at once while disconnected), a short command timeout
 * (a hung server can't hold a request), and endless background reconnection.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  readonly client: Redis;

  constructor(url: string, keyPrefix: string, onError: (err: Error) => void = () => undefined) {
    this.client = new Redis(url, {
      keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
      // Commands issued in the same tick (many concurrent requests) leave in one socket write:
      // on a busy replica that turns one write syscall per cache read into one per batch.
      enableAutoPipelining: true,
    });
    this.client.on('error', onError);
  }

  async get(key: string): Promise<Buffer | undefined> {
    // getBuffer: the reply's bytes as they arrived, without decoding 8 kB of UTF-8 per hit.
    return (await this.client.getBuffer(key)) ?? undefined;
  }

  async set(key: string, value: Buffer, ttlSeconds: number, group?: string): Promise<void> {
    if (!group) {
      await this.client.set(key, value, 'EX', ttlSeconds);
      return;
    }
    // The group is a set of member keys; it outlives its members a little so that an
    // invalidation still finds every key that may be alive.
    await this.client
      .multi()
      .set(key, value, 'EX', ttlSeconds)
      .sadd(groupKey(group), key)
      .expire(groupKey(group), ttlSeconds * 2)
      .exec();
  }

  async del(key: string): Promise<void> {
    await this.client.del(key);
  }

  async invalidateGroup(group: string): Promise<void> {
    const members = await this.client.smembers(groupKey(group));
    // The set holds unprefixed keys (ioredis prefixes key arguments, not SADD's members), and
    // `unlink` prefixes each of them again, so they name the same keys `set` wrote.
    await this.client.unlink(groupKey(group), ...members);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.client.disconnect(false);
  }
}

function groupKey(group: string): string {
  return `group:${group}`;
}
