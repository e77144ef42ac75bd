import { LRUCache } from 'lru-cache';
import { CacheStore } from './cache.store';

/** The default without REDIS_URL: a bounded LRU in this process (so per replica, not shared). */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  private readonly entries: LRUCache<string, Buffer>;
  private readonly groups = new Map<string, Set<string>>();

  constructor(maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.entries.get(key);
  }

  peek(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  async set(key: string, value: Buffer, ttlSeconds: number, group?: string): Promise<void> {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
    if (group) {
      let keys = this.groups.get(group);
      if (!keys) this.groups.set(group, (keys = new Set()));
      keys.add(key);
    }
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async invalidateGroup(group: string): Promise<void> {
    for (const key of this.groups.get(group) ?? []) this.entries.delete(key);
    this.groups.delete(group);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
    this.groups.clear();
  }
}
