import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { CacheService } from './cache.service';
import { CacheStore } from './cache.store';

/** A store whose reads wait until `release()`: lets a test hold reads in flight. */
function slowStore(initial: Record<string, string>) {
  const data = new Map<string, Buffer>(Object.entries(initial).map(([k, v]) => [k, Buffer.from(v)]));
  const waiting: (() => void)[] = [];
  let reads = 0;
  const store: CacheStore = {
    kind: 'memory',
    get: (key) => {
      reads++;
      const value = data.get(key);
      return new Promise((resolve) => waiting.push(() => resolve(value)));
    },
    set: async (key, value) => void data.set(key, value),
    del: async (key) => void data.delete(key),
    invalidateGroup: async () => data.clear(),
    ping: async () => undefined,
    close: async () => undefined,
  };
  return { store, reads: () => reads, release: () => waiting.splice(0).forEach((w) => w()) };
}

const config = { cache: { ttlSeconds: 30 } } as AppConfig;

describe('CacheService', () => {
  it('serves concurrent reads of one key from one store read, counting a hit for each', async () => {
    const s = slowStore({ k: 'v' });
    const cache = new CacheService(s.store, config);
    const pending = Promise.all([cache.get('k'), cache.get('k'), cache.get('k'), cache.get('other')]);
    s.release();
    const [a, b, c, other] = await pending;
    expect(s.reads()).toBe(2);
    expect(a?.toString()).toBe('v');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(other).toBeUndefined();
    expect(cache.stats).toMatchObject({ hits: 3, misses: 1 });
  });

  it('does not hand a read that starts after a write the value read before it', async () => {
    const s = slowStore({ k: 'old' });
    const cache = new CacheService(s.store, config);
    const before = cache.get('k');
    await cache.del('k');
    const after = cache.get('k');
    s.release();
    expect((await before)?.toString()).toBe('old');
    expect(await after).toBeUndefined();
    expect(s.reads()).toBe(2);

    const beforeGroup = cache.get('k2');
    await cache.invalidateGroup('any');
    const afterGroup = cache.get('k2');
    s.release();
    await Promise.all([beforeGroup, afterGroup]);
    expect(s.reads()).toBe(4);
  });

  it('treats a failing store as a miss', async () => {
    const failing: CacheStore = { ...slowStore({}).store, get: async () => Promise.reject(new Error('down')) };
    const cache = new CacheService(failing, config);
    expect(await Promise.all([cache.get('k'), cache.get('k')])).toEqual([undefined, undefined]);
    expect(cache.stats).toMatchObject({ misses: 2, errors: 2 });
  });
});
