import type Redis from 'ioredis';
import { failFastRedis } from '../common/redis-client';
import { CacheStore } from './cache.store';

/** Shared cache across replicas, on a fail-fast client: a Redis outage costs a request a cache miss, nothing more. */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  readonly client: Redis;

  constructor(url: string, keyPrefix: string) {
    this.client = failFastRedis(url, keyPrefix);
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
