import { describe, expect, it } from 'vitest';
import { NearCache } from './near-cache';

const bytes = (text: string) => Buffer.from(text);

function serving(options = { ttlMs: 60_000, maxBytes: 1024 * 1024 }) {
  const near = new NearCache(options);
  near.resume();
  return near;
}

describe('NearCache', () => {
  it('serves what it was filled with, as bytes of its own', () => {
    const near = serving();
    const reply = Buffer.from('xxvalueyy').subarray(2, 7); // a view, as Redis replies are
    near.fill('k', reply, near.generation);
    const hit = near.get('k');
    expect(hit?.toString()).toBe('value');
    expect(hit?.buffer).not.toBe(reply.buffer);
    expect(hit?.byteLength).toBe(hit?.buffer.byteLength);
    expect(near.get('other')).toBeUndefined();
  });

  it('serves nothing and takes nothing until resumed, and empties when suspended or resumed', () => {
    const near = new NearCache({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    near.fill('k', bytes('v'), near.generation);
    expect(near.get('k')).toBeUndefined();

    near.resume();
    near.fill('k', bytes('v'), near.generation);
    expect(near.get('k')?.toString()).toBe('v');
    near.suspend();
    expect(near.get('k')).toBeUndefined();
    near.fill('k', bytes('v'), near.generation);
    near.resume();
    expect(near.get('k')).toBeUndefined();

    near.fill('k', bytes('v'), near.generation);
    near.resume(); // subscribed again: what was kept may have missed invalidations
    expect(near.get('k')).toBeUndefined();
  });

  it('refuses a fill from a read that started before any invalidation', () => {
    const near = serving();
    for (const invalidate of [() => near.delete('unrelated'), () => near.dropGroup('g'), () => near.clear(), () => near.resume()]) {
      const since = near.generation;
      invalidate();
      near.fill('k', bytes('old'), since);
      expect(near.get('k')).toBeUndefined();
    }
  });

  it('drops one key, or the members of one group only', () => {
    const near = serving();
    const fill = (key: string, group?: string) => near.fill(key, bytes(key), near.generation, group);
    fill('a', 'list');
    fill('b', 'list');
    fill('c', 'other');
    fill('d');
    near.delete('d');
    expect(near.get('d')).toBeUndefined();
    near.dropGroup('list');
    expect([near.get('a'), near.get('b')]).toEqual([undefined, undefined]);
    expect(near.get('c')?.toString()).toBe('c');

    // A key refilled after its group was dropped belongs to the group again.
    fill('a', 'list');
    near.dropGroup('list');
    expect(near.get('a')).toBeUndefined();
  });

  it('stays within its byte bound, evicting the least recently used', () => {
    const near = serving({ ttlMs: 60_000, maxBytes: 10_000 });
    for (let i = 0; i < 10; i++) near.fill(`k${i}`, Buffer.alloc(2000), near.generation, 'list');
    const kept = Array.from({ length: 10 }, (_, i) => near.get(`k${i}`) !== undefined);
    expect(kept.filter(Boolean).length).toBeLessThanOrEqual(4);
    expect(kept[9]).toBe(true);
    expect(kept[0]).toBe(false);
    near.fill('huge', Buffer.alloc(20_000), near.generation);
    expect(near.get('huge')).toBeUndefined();
  });

  it('forgets an entry after its TTL', async () => {
    const near = serving({ ttlMs: 20, maxBytes: 1024 * 1024 });
    near.fill('k', bytes('v'), near.generation);
    expect(near.get('k')?.toString()).toBe('v');
    await new Promise((r) => setTimeout(r, 60));
    expect(near.get('k')).toBeUndefined();
  });
});
