import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { missing, REDIS_TEST_URL } from '../../../tests/helpers/services';
import { BatchedThrottlerStorage } from '../src/security/batched-throttler.storage';
import { RedisThrottlerStorage } from '../src/security/redis-throttler.storage';

const LIMIT = 5;
const MINUTE = 60_000;
/** Long enough that only the test's own flush() syncs. */
const NO_TIMER = 3_600_000;

describe.skipIf(await missing('redis'))('BatchedThrottlerStorage on Redis', () => {
  const prefix = `test:batched-throttler:${process.pid}:${Date.now()}:`;
  let admin: Redis;
  let client: Redis;
  let redis: RedisThrottlerStorage;
  const storages: BatchedThrottlerStorage[] = [];

  /** A replica: its own storage on the shared Redis; `adds` counts its round trips. */
  function replica(syncMs = NO_TIMER) {
    const adds = vi.fn(redis.add.bind(redis));
    const storage = new BatchedThrottlerStorage({ add: adds }, syncMs, () => undefined);
    storages.push(storage);
    return { storage, adds, hit: (ip: string, ttl = MINUTE) => storage.increment(ip, ttl, LIMIT, ttl, 'default') };
  }
  const sharedHits = async (ip: string) => Number(await admin.get(`${prefix}{default:${ip}}:hits`));

  beforeAll(() => {
    admin = new Redis(REDIS_TEST_URL);
    client = new Redis(REDIS_TEST_URL, { keyPrefix: prefix, enableAutoPipelining: true });
    redis = new RedisThrottlerStorage(client);
  });
  afterAll(async () => {
    await Promise.all(storages.map((s) => s.onApplicationShutdown()));
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    client?.disconnect();
    admin?.disconnect();
  });

  it('awaits Redis for a client’s first hit only, then decides in memory up to the limit', async () => {
    const { adds, hit } = replica();
    const seen = [];
    for (let i = 0; i < LIMIT + 2; i++) seen.push(await hit('10.1.0.1'));
    expect(adds).toHaveBeenCalledOnce();
    expect(seen.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true, true]);
    expect(seen[0]).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(seen[5].timeToBlockExpire).toBe(60);
    expect(await sharedHits('10.1.0.1')).toBe(1);
  });

  it('shares one round trip between concurrent first hits of a client', async () => {
    const { adds, hit } = replica();
    const seen = await Promise.all([hit('10.1.0.2'), hit('10.1.0.2'), hit('10.1.0.2')]);
    expect(adds).toHaveBeenCalledOnce();
    expect(seen.map((r) => r.totalHits).sort()).toEqual([1, 2, 3]);
  });

  it('adds the pending hits to the shared count on each sync, in the shared window', async () => {
    const { storage, hit } = replica(20);
    for (let i = 0; i < 4; i++) await hit('10.1.0.3');
    await vi.waitFor(async () => expect(await sharedHits('10.1.0.3')).toBe(4));
    expect(await admin.pttl(`${prefix}{default:10.1.0.3}:hits`)).toBeGreaterThan(50_000);
    await storage.onApplicationShutdown();
  });

  it('starts from the count other replicas synced, and passes a block on within one sync', async () => {
    const a = replica();
    const b = replica();
    const ip = '10.1.0.4';
    for (let i = 0; i < 3; i++) expect((await a.hit(ip)).isBlocked).toBe(false);
    await a.storage.flush();
    // b's first hit reads a's three.
    expect((await b.hit(ip)).totalHits).toBe(4);
    expect((await b.hit(ip)).isBlocked).toBe(false);
    expect(await b.hit(ip)).toMatchObject({ totalHits: 6, isBlocked: true });
    await b.storage.flush();
    // a still knows only its own three until its next sync: the overshoot the design allows.
    expect((await a.hit(ip)).isBlocked).toBe(false);
    await a.storage.flush();
    const refused = await a.hit(ip);
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBeGreaterThan(0);
  });

  it('at a sync interval of 0, shares the exact count between replicas, one round trip per hit', async () => {
    const a = replica(0);
    const b = replica(0);
    const ip = '10.1.0.6';
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await a.hit(ip), await b.hit(ip));
    expect(seen.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true]);
    expect(seen[5].timeToBlockExpire).toBe(60);
    // The block a set in Redis reaches b at its next hit, with no sync to wait for.
    expect((await a.hit(ip)).isBlocked).toBe(true);
    expect(a.adds.mock.calls.length + b.adds.mock.calls.length).toBe(7);
    expect(await sharedHits(ip)).toBe(7);
  });

  it('forgets a window once it is over, and counts the next hit in a new one', async () => {
    const { storage, adds, hit } = replica();
    await hit('10.1.0.5', 100);
    await hit('10.1.0.5', 100);
    await new Promise((r) => setTimeout(r, 150));
    await storage.flush();
    expect(storage['windows'].all()).toHaveLength(0);
    expect(await hit('10.1.0.5', 100)).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(adds).toHaveBeenCalledTimes(2);
  });
});
