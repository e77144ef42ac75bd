import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServer, RedisServer } from '../../../tests/helpers/redis-server';
import { missing, REDIS_TEST_URL } from '../../../tests/helpers/services';
import { CacheService } from '../src/cache/cache.service';
import { AUTH, createBusiness, createTestApp, TestApp } from './support/test-app';

const skip = (await missing('postgres')) || (await missing('redis'));

describe.skipIf(skip)('list and detail cache on the real Redis', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await createTestApp({ redis: true });
    redis = new Redis(REDIS_TEST_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${t.keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await t?.close();
  });

  it('caches a list under the key prefix, serves the next read from Redis, and drops it on a write', async () => {
    const stats = t.app.get(CacheService).stats;
    await t.app.inject({ url: '/api/businesses?city=Lyon' });
    await new Promise((r) => setTimeout(r, 50)); // the cache write is fire-and-forget
    const keys = await redis.keys(`${t.keyPrefix}businesses:list:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttl = await redis.ttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(t.config.cache.ttlSeconds);

    const hits = stats.hits;
    await t.app.inject({ url: '/api/businesses?city=Lyon' });
    expect(stats.hits).toBe(hits + 1);

    const created = await createBusiness(t, { name: 'Cache Test', category: 'café', city: 'Lyon' });
    expect(created.statusCode).toBe(201);
    expect(await redis.keys(`${t.keyPrefix}businesses:list:*`)).toEqual([]);
    const after = (await t.app.inject({ url: '/api/businesses?city=Lyon' })).json();
    expect(after.items.map((b: { name: string }) => b.name)).toContain('Cache Test');
  });
});

describe.skipIf(await missing('postgres'))('when Redis goes away', () => {
  let t: TestApp;
  let server: RedisServer;

  beforeAll(async () => {
    server = await redisServer();
    t = await createTestApp({ env: { REDIS_URL: server.url } });
  });
  afterAll(async () => {
    await t?.close();
    await server?.destroy();
  });

  it('serves from PostgreSQL without errors or waiting, then uses Redis again once it is back', async () => {
    const stats = t.app.get(CacheService).stats;
    expect((await t.app.inject({ url: '/api/businesses' })).statusCode).toBe(200);

    await server.stop();
    const errorsBefore = stats.errors;
    const started = Date.now();
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => t.app.inject({ url: `/api/businesses?page=${i + 1}` })));
    expect(during.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    // No request waited on a dead socket (the command timeout is 250 ms; this allows slack).
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stats.errors).toBeGreaterThan(errorsBefore);

    await server.start();
    const deadline = Date.now() + 10_000;
    let hitsResumed = false;
    while (Date.now() < deadline && !hitsResumed) {
      const hits = stats.hits;
      await t.app.inject({ url: '/api/businesses?q=reconnect' });
      await new Promise((r) => setTimeout(r, 100));
      await t.app.inject({ url: '/api/businesses?q=reconnect' });
      hitsResumed = stats.hits > hits;
    }
    expect(hitsResumed).toBe(true);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds or `timeoutMs` has passed; says which. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  do {
    if (await check()) return true;
    await sleep(20);
  } while (Date.now() < deadline);
  return false;
}

/** Reads `url` until a read is served from the replica's near cache (the first ones fill Redis, then it). */
function servedNear(t: TestApp, url: string, timeoutMs = 5000): Promise<boolean> {
  const stats = t.app.get(CacheService).stats;
  return until(async () => {
    const before = stats.nearHits;
    expect((await t.app.inject({ url })).statusCode).toBe(200);
    return stats.nearHits > before;
  }, timeoutMs);
}

const names = async (t: TestApp, url: string): Promise<string[]> =>
  (await t.app.inject({ url })).json().items.map((b: { name: string }) => b.name);

const write = (t: TestApp, method: 'POST' | 'PATCH', url: string, payload: object) =>
  t.app.inject({ method, url, headers: { 'content-type': 'application/json', ...AUTH }, payload: JSON.stringify(payload) });

// B keeps near copies for a minute: only the invalidation message can make it see a write sooner.
const LONG_NEAR_TTL = { CACHE_LOCAL_TTL_MS: '60000' };

describe.skipIf(skip)('near cache: two replicas on one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let listener: Redis;
  const messages: string[] = [];

  beforeAll(async () => {
    a = await createTestApp({ redis: true });
    b = await createTestApp({ redis: true, replicaOf: a, env: LONG_NEAR_TTL });
    listener = new Redis(REDIS_TEST_URL);
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await listener.subscribe(`${a.keyPrefix}cache:invalidate`);
  });
  afterAll(async () => {
    listener?.disconnect();
    await b?.close();
    const redis = new Redis(REDIS_TEST_URL);
    const keys = await redis.keys(`${a.keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await a?.close();
  });

  it("drops B's near copies of the lists and of a business when A writes", async () => {
    const list = '/api/businesses?city=Grenoble';
    expect(await servedNear(b, list)).toBe(true);

    const created = await write(a, 'POST', '/api/businesses', { name: 'Near Cache Test', category: 'café', city: 'Grenoble' });
    expect(created.statusCode).toBe(201);
    expect(await until(async () => (await names(b, list)).includes('Near Cache Test'), 2000)).toBe(true);
    expect(messages).toContain('group:businesses:list');

    const detail = `/api/businesses/${created.json().id}`;
    expect(await servedNear(b, detail)).toBe(true);
    expect((await write(a, 'PATCH', detail, { name: 'Near Cache Renamed' })).statusCode).toBe(200);
    expect(await until(async () => (await b.app.inject({ url: detail })).json().name === 'Near Cache Renamed', 2000)).toBe(true);
    expect(await until(async () => (await names(b, list)).includes('Near Cache Renamed'), 2000)).toBe(true);
  });
});

describe.skipIf(await missing('postgres'))('near cache while its subscription is down', () => {
  let server: RedisServer;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    server = await redisServer();
    a = await createTestApp({ env: { REDIS_URL: server.url } });
    b = await createTestApp({ replicaOf: a, env: { REDIS_URL: server.url, ...LONG_NEAR_TTL } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await server?.destroy();
  });

  it('is bypassed while Redis is gone (a write elsewhere is seen at once) and serves again once resubscribed', async () => {
    const list = '/api/businesses?city=Annecy';
    const stats = b.app.get(CacheService).stats;
    expect(await servedNear(b, list)).toBe(true);

    // A's invalidation can reach no one now: B must stop trusting its copies instead.
    await server.stop();
    const created = await write(a, 'POST', '/api/businesses', { name: 'Written During Outage', category: 'café', city: 'Annecy' });
    expect(created.statusCode).toBe(201);
    expect(await until(async () => (await names(b, list)).includes('Written During Outage'), 2000)).toBe(true);
    const nearHits = stats.nearHits;
    for (let i = 0; i < 5; i++) expect(await names(b, list)).toContain('Written During Outage');
    expect(stats.nearHits).toBe(nearHits);

    await server.start();
    expect(await servedNear(b, list, 10_000)).toBe(true);
    expect(await names(b, list)).toContain('Written During Outage');
  });
});
