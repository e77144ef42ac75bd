import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServer, RedisServer } from '../../../tests/helpers/redis-server';
import { missing, REDIS_TEST_URL } from '../../../tests/helpers/services';
import { CacheService } from '../src/cache/cache.service';
import { AUTH, createTestApp, TestApp } from './support/test-app';

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

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: { 'content-type': 'application/json', ...AUTH },
      payload: JSON.stringify({ name: 'Cache Test', category: 'café', city: 'Lyon' }),
    });
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
