import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { Invalidation } from './cache-invalidation.bus';
import { CacheService } from './cache.service';
import { CacheStore } from './cache.store';
import { NearCache } from './near-cache';

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

describe('CacheService with a near cache', () => {
  function setup(initial: Record<string, string>) {
    const s = slowStore(initial);
    const near = new NearCache({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    near.resume();
    const events: string[] = [];
    const store: CacheStore = {
      ...s.store,
      del: async (key) => void events.push(`store del ${key}`),
      invalidateGroup: async (group) => void events.push(`store drop ${group}`),
    };
    const bus = { publish: async (i: Invalidation) => void events.push(`publish ${JSON.stringify(i)}`) };
    const cache = new CacheService(store, config, near, bus);
    const read = async (key: string, group?: string) => {
      const pending = cache.get(key, group);
      s.release();
      return (await pending)?.toString();
    };
    return { ...s, near, cache, events, read };
  }

  it('serves a repeated read from this process, counting it as a (near) hit', async () => {
    const t = setup({ k: 'v' });
    expect(await t.read('k')).toBe('v');
    expect(await t.read('k')).toBe('v');
    expect(await t.read('k')).toBe('v');
    expect(t.reads()).toBe(1);
    expect(t.cache.stats).toMatchObject({ hits: 3, nearHits: 2, misses: 0 });
  });

  it('reads the store while the near cache is suspended', async () => {
    const t = setup({ k: 'v' });
    await t.read('k');
    t.near.suspend();
    expect(await t.read('k')).toBe('v');
    expect(await t.read('k')).toBe('v');
    expect(t.reads()).toBe(3);
    expect(t.cache.stats.nearHits).toBe(0);
  });

  it('drops near copies on a write before the store does, and publishes once the store is done', async () => {
    const t = setup({ k: 'v', l: 'page' });
    await t.read('k');
    await t.read('l', 'list');
    const deleting = t.cache.del('k');
    expect(t.near.get('k')).toBeUndefined();
    await deleting;
    const dropping = t.cache.invalidateGroup('list');
    expect(t.near.get('l')).toBeUndefined();
    await dropping;
    expect(t.events).toEqual(['store del k', 'publish {"key":"k"}', 'store drop list', 'publish {"group":"list"}']);
  });

  it('does not keep a value read before a write announced while the read was in flight', async () => {
    const t = setup({ k: 'old' });
    const before = t.cache.get('k');
    t.near.delete('k'); // another replica's invalidation arrives before the reply
    t.release();
    expect((await before)?.toString()).toBe('old');
    expect(t.near.get('k')).toBeUndefined();
    expect(await t.read('k')).toBe('old');
    expect(t.reads()).toBe(2);
  });
});
