import { LRUCache } from 'lru-cache';

interface Entry {
  bytes: Buffer;
  group?: string;
}

// What an entry costs beyond its bytes (key, LRU slots, the Buffer object), so that many small
// entries can't exceed the bound that their byte counts alone would suggest.
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * A short-lived copy of recent Redis hits in this process, so that a hot read costs no Redis round
 * trip. It is only as fresh as the invalidations it hears of, so it serves only while someone
 * (CacheInvalidationBus) vouches that it hears all of them: until `resume()` and after `suspend()`
 * it is empty and refuses fills.
 *
 * Every invalidation advances `generation`. A fill names the generation its Redis read started
 * in and is dropped if anything was invalidated since: the read may have been answered before a
 * write that another replica has already announced.
 */
export class NearCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly groups = new Map<string, Set<string>>();
  private current = 0;
  private serving = false;

  constructor(options: { ttlMs: number; maxBytes: number }) {
    this.entries = new LRUCache<string, Entry>({
      ttl: options.ttlMs,
      maxSize: options.maxBytes,
      sizeCalculation: (entry, key) => entry.bytes.length + key.length + ENTRY_OVERHEAD_BYTES,
      // Evicted, expired, replaced or deleted: the entry leaves its group too.
      dispose: (entry, key) => {
        if (entry.group !== undefined) this.groups.get(entry.group)?.delete(key);
      },
    });
  }

  get generation(): number {
    return this.current;
  }

  get(key: string): Buffer | undefined {
    return this.serving ? this.entries.get(key)?.bytes : undefined;
  }

  fill(key: string, bytes: Buffer, since: number, group?: string): void {
    if (!this.serving || since !== this.current) return;
    // A reply from Redis is a view into a larger socket buffer; keeping the view would keep all of
    // that buffer alive, so the entry gets bytes of its own.
    const own = Buffer.allocUnsafeSlow(bytes.length);
    bytes.copy(own);
    this.entries.set(key, { bytes: own, group });
    if (group !== undefined && this.entries.has(key)) {
      let keys = this.groups.get(group);
      if (!keys) this.groups.set(group, (keys = new Set()));
      keys.add(key);
    }
  }

  delete(key: string): void {
    this.current++;
    this.entries.delete(key);
  }

  dropGroup(group: string): void {
    this.current++;
    const keys = this.groups.get(group);
    this.groups.delete(group);
    for (const key of keys ?? []) this.entries.delete(key);
  }

  clear(): void {
    this.current++;
    this.entries.clear();
    this.groups.clear();
  }

  /** Invalidations may have been missed from here on: serve nothing until `resume()`. */
  suspend(): void {
    this.serving = false;
    this.clear();
  }

  /** Invalidations are heard again; whatever was kept before may have missed some. */
  resume(): void {
    this.clear();
    this.serving = true;
  }
}
