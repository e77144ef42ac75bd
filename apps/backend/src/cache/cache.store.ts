/**
 * A key/value store for serialised responses, kept as bytes: a hit is sent as it is (CachedJson),
 * never decoded to text on the way. Keys in a group can be dropped together.
 */
export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<Buffer | undefined>;
  /** The value if this process holds it (an in-process store), without waiting: else undefined. */
  peek?(key: string): Buffer | undefined;
  set(key: string, value: Buffer, ttlSeconds: number, group?: string): Promise<void>;
  del(key: string): Promise<void>;
  invalidateGroup(group: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const CACHE_STORE = Symbol('CACHE_STORE');
