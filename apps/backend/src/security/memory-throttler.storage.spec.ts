import { describe, expect, it } from 'vitest';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

const LIMIT = 3;
const TTL = 60_000;
const BLOCK = 120_000;

// The same rules as the Redis script, which test/redis-throttler.int-spec.ts checks on a real Redis.
describe('MemoryThrottlerStorage', () => {
  it('counts a fixed window per client, blocks past the limit for the block duration, and starts over after', async () => {
    let now = 1_000_000;
    const store = new MemoryThrottlerStorage(() => now);
    const add = (key: string, hits = 1) => store.add(key, hits, TTL, LIMIT, BLOCK, 'default');
    expect(await add('a')).toEqual({ totalHits: 1, windowLeftMs: TTL, blockLeftMs: 0 });
    now += 1_000;
    expect(await add('a', 2)).toEqual({ totalHits: 3, windowLeftMs: TTL - 1_000, blockLeftMs: 0 });
    expect(await add('a')).toEqual({ totalHits: 4, windowLeftMs: TTL - 1_000, blockLeftMs: BLOCK });
    // Another client, or another throttler, has its own count.
    expect((await add('b')).totalHits).toBe(1);
    expect((await store.add('a', 1, TTL, LIMIT, BLOCK, 'other')).totalHits).toBe(1);
    // The window ends before the block: a new count starts, still blocked.
    now += TTL;
    expect(await add('a')).toEqual({ totalHits: 1, windowLeftMs: TTL, blockLeftMs: BLOCK - TTL });
    // The block ends: an ordinary new window.
    now += BLOCK;
    expect(await add('a')).toEqual({ totalHits: 1, windowLeftMs: TTL, blockLeftMs: 0 });
  });

  it('forgets clients whose window and block are over', async () => {
    let now = 0;
    const store = new MemoryThrottlerStorage(() => now);
    for (let i = 0; i < 100; i++) await store.add(`client-${i}`, 1, TTL, LIMIT, BLOCK, 'default');
    expect(store['counters'].size).toBe(100);
    now += TTL + 1;
    await store.add('late', 1, TTL, LIMIT, BLOCK, 'default');
    expect(store['counters'].size).toBe(1);
  });
});
