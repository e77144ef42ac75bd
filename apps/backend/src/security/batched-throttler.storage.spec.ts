import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedThrottlerStorage } from './batched-throttler.storage';

const LIMIT = 5;
const MINUTE = 60_000;
/** Long enough that only the test's own flush() syncs. */
const NO_TIMER = 3_600_000;

// Against Redis (the sync, several replicas, window expiry): test/batched-throttler.int-spec.ts.
describe('BatchedThrottlerStorage', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('syncs pending hits on its timer, one call per client with that client’s count', async () => {
    vi.useFakeTimers();
    const add = vi.fn(async (_key: string, hits: number) => ({ totalHits: hits, windowLeftMs: MINUTE, blockLeftMs: 0 }));
    const storage = new BatchedThrottlerStorage({ add }, 100, () => undefined);
    for (const key of ['a', 'a', 'a', 'b']) await storage.increment(key, MINUTE, LIMIT, MINUTE, 'default');
    // The first hit of each client went at once; the others wait for the sync.
    expect(add.mock.calls.map(([key, hits]) => [key, hits])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    await vi.advanceTimersByTimeAsync(100);
    expect(add.mock.calls.slice(2).map(([key, hits]) => [key, hits])).toEqual([['a', 2]]);
    await vi.advanceTimersByTimeAsync(100);
    expect(add).toHaveBeenCalledTimes(3);
    await storage.onApplicationShutdown();
  });

  it('answers a known client at once (hitNow), counting the hit as increment would, and leaves others to increment', async () => {
    const add = vi.fn(async (_key: string, hits: number) => ({ totalHits: hits, windowLeftMs: MINUTE, blockLeftMs: 0 }));
    const storage = new BatchedThrottlerStorage({ add }, NO_TIMER, () => undefined);
    expect(storage.hitNow('g', 'default')).toBeUndefined();
    await storage.increment('g', MINUTE, LIMIT, MINUTE, 'default');
    const seen = [];
    for (let i = 0; i < LIMIT; i++) seen.push(storage.hitNow('g', 'default'));
    expect(seen.map((r) => r?.totalHits)).toEqual([2, 3, 4, 5, 6]);
    expect(seen.map((r) => r?.isBlocked)).toEqual([false, false, false, false, true]);
    expect((await storage.increment('g', MINUTE, LIMIT, MINUTE, 'default')).totalHits).toBe(7);
    await storage.flush();
    expect(add.mock.calls.map(([key, hits]) => [key, hits])).toEqual([
      ['g', 1],
      ['g', 6],
    ]);
    const exact = new BatchedThrottlerStorage({ add }, 0, () => undefined);
    await exact.increment('h', MINUTE, LIMIT, MINUTE, 'default');
    expect(exact.hitNow('h', 'default')).toBeUndefined();
    await Promise.all([storage.onApplicationShutdown(), exact.onApplicationShutdown()]);
  });

  it('keeps counting, and limiting, on this replica while Redis fails, and warns only now and then', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const add = vi.fn(async () => Promise.reject(new Error('Stream isn’t writeable')));
    const storage = new BatchedThrottlerStorage({ add }, NO_TIMER, () => undefined);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await storage.increment('c', MINUTE, LIMIT, MINUTE, 'default'));
    await storage.flush();
    for (let i = 0; i < 3; i++) seen.push(await storage.increment('c', MINUTE, LIMIT, MINUTE, 'default'));
    await storage.flush();
    expect(seen.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true]);
    expect(seen[5].timeToBlockExpire).toBe(60);
    expect(add).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    await storage.onApplicationShutdown();
  });

  it('at a sync interval of 0, sends every hit to Redis at once and answers with its count and block', async () => {
    vi.useFakeTimers();
    let shared = 0;
    const add = vi.fn(async (_key: string, hits: number) => {
      shared += hits;
      return { totalHits: shared, windowLeftMs: 42_000, blockLeftMs: shared > LIMIT ? 30_000 : 0 };
    });
    const storage = new BatchedThrottlerStorage({ add }, 0, () => undefined);
    const seen = [];
    for (let i = 0; i < LIMIT + 1; i++) seen.push(await storage.increment('e', MINUTE, LIMIT, MINUTE, 'default'));
    expect(add.mock.calls.map(([, hits]) => hits)).toEqual(Array(LIMIT + 1).fill(1));
    expect(seen[0]).toEqual({ totalHits: 1, timeToExpire: 42, isBlocked: false, timeToBlockExpire: 0 });
    expect(seen[LIMIT]).toEqual({ totalHits: LIMIT + 1, timeToExpire: 42, isBlocked: true, timeToBlockExpire: 30 });
    // No batch follows: every hit has already been added.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(add).toHaveBeenCalledTimes(LIMIT + 1);
    await storage.onApplicationShutdown();
    expect(add).toHaveBeenCalledTimes(LIMIT + 1);
  });

  it('at a sync interval of 0, counts on from the last shared count while Redis fails, and takes Redis’s again once it answers', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let down = false;
    let shared = 0;
    const add = vi.fn(async (_key: string, hits: number) => {
      if (down) throw new Error('Connection is closed.');
      shared += hits;
      return { totalHits: shared, windowLeftMs: MINUTE, blockLeftMs: 0 };
    });
    const storage = new BatchedThrottlerStorage({ add }, 0, () => undefined);
    const hit = () => storage.increment('f', MINUTE, LIMIT, MINUTE, 'default');
    expect((await hit()).totalHits).toBe(1);
    expect((await hit()).totalHits).toBe(2);
    down = true;
    const during = [await hit(), await hit(), await hit(), await hit()];
    expect(during.map((r) => r.totalHits)).toEqual([3, 4, 5, 6]);
    expect(during.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
    expect(during[3].timeToBlockExpire).toBe(60);
    expect(warn).toHaveBeenCalledTimes(1);
    down = false;
    // Redis never saw the hits counted here; the block this replica set holds until it ends.
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true });
    expect(add).toHaveBeenCalledTimes(7);
    // Another client, unaffected by that block, gets Redis's answer as it is.
    expect(await storage.increment('g', MINUTE, LIMIT, MINUTE, 'default')).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await storage.onApplicationShutdown();
  });

  it('at a sync interval of 0, forgets windows once they are over', async () => {
    vi.useFakeTimers();
    const add = vi.fn(async () => ({ totalHits: 1, windowLeftMs: 100, blockLeftMs: 0 }));
    const storage = new BatchedThrottlerStorage({ add }, 0, () => undefined);
    await storage.increment('h', 100, LIMIT, 100, 'default');
    expect(storage['windows'].all()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(storage['windows'].all()).toHaveLength(0);
    await storage.onApplicationShutdown();
  });

  it('stops its timer and closes the client on shutdown, after sending what is pending', async () => {
    vi.useFakeTimers();
    const add = vi.fn(async (_key: string, hits: number) => ({ totalHits: hits, windowLeftMs: MINUTE, blockLeftMs: 0 }));
    const close = vi.fn();
    const storage = new BatchedThrottlerStorage({ add }, 100, close);
    await storage.increment('d', MINUTE, LIMIT, MINUTE, 'default');
    await storage.increment('d', MINUTE, LIMIT, MINUTE, 'default');
    await storage.onApplicationShutdown();
    expect(add.mock.calls.map(([, hits]) => hits)).toEqual([1, 1]);
    expect(close).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });
});
