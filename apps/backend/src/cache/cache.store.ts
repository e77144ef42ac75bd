/** A key/value store for serialised responses. Keys in a group can be dropped together. */
export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number, group?: string): Promise<void>;
  del(key: string): Promise<void>;
  invalidateGroup(group: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const CACHE_STORE = Symbol('CACHE_STORE');
