import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../tests/helpers/free-port';
import { missing, REDIS_TEST_URL } from '../../../tests/helpers/services';
import { createTestApp, TestApp } from './support/test-app';

const LIMIT = 5;
const limited = (extra: Record<string, string> = {}) => ({ RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_TTL_SECONDS: '60', ...extra });

type Inject = TestApp['app']['inject'];
const get = (t: TestApp, url: string, opts: { ip?: string; headers?: Record<string, string> } = {}) =>
  (t.app.inject as Inject)({ url, remoteAddress: opts.ip ?? '127.0.0.1', headers: opts.headers });

async function statuses(t: TestApp, count: number, url: string, opts: { ip?: string; headers?: Record<string, string> } = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await get(t, url, opts)).statusCode);
  return out;
}

describe.skipIf(await missing('postgres'))('app rate limit (in memory, one replica)', () => {
  let t: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    [t, proxied] = await Promise.all([createTestApp({ env: limited() }), createTestApp({ env: limited({ TRUST_PROXY: '10.0.0.1' }) })]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), proxied?.close()]);
  });

  it('answers 429 in JSON past the limit, with Retry-After and the limit headers', async () => {
    const ip = '192.0.2.1';
    const first = await get(t, '/api/businesses?limit=1', { ip });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(first.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    expect(await statuses(t, LIMIT - 1, '/api/businesses?limit=1', { ip })).toEqual(Array(LIMIT - 1).fill(200));
    const refused = await get(t, '/api/businesses?limit=1', { ip });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.json().message).toMatch(/at most 5 per 60 s/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is unaffected.
    expect((await get(t, '/api/businesses?limit=1', { ip: '192.0.2.2' })).statusCode).toBe(200);
  });

  it('counts one budget per client across every API route', async () => {
    const ip = '192.0.2.3';
    const urls = ['/api/businesses', '/api/businesses/00000000-0000-4000-8000-000000000000', '/api/businesses?page=2'];
    const seen: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) seen.push((await get(t, urls[i % urls.length], { ip })).statusCode);
    expect(seen.slice(0, LIMIT)).not.toContain(429);
    expect(seen[LIMIT]).toBe(429);
  });

  it("counts a scanner's unmatched /api paths too, and its refusal is an ordinary response (security headers, request id)", async () => {
    const ip = '192.0.2.6';
    const codes = await statuses(t, LIMIT, '/api/no-such-thing', { ip });
    expect(codes).toEqual(Array(LIMIT).fill(404));
    const refused = await get(t, '/api/businesses', { ip, headers: { 'x-request-id': 'limited-1' } });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect(refused.headers['x-request-id']).toBe('limited-1');
  });

  it('never limits the health probes or the metrics scrape', async () => {
    const ip = '192.0.2.4';
    await statuses(t, LIMIT + 1, '/api/businesses', { ip });
    for (const url of ['/health/live', '/health', '/metrics']) {
      const codes = await statuses(t, LIMIT + 2, url, { ip });
      expect(codes, url).not.toContain(429);
    }
  });

  it('ignores X-Forwarded-For from an untrusted peer, so it cannot buy a fresh budget', async () => {
    const ip = '192.0.2.5';
    const codes: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      codes.push((await get(t, '/api/businesses', { ip, headers: { 'x-forwarded-for': `198.51.100.${i}` } })).statusCode);
    }
    expect(codes[LIMIT]).toBe(429);
  });

  it('limits the client behind a trusted proxy by its forwarded address', async () => {
    const proxy = '10.0.0.1';
    const first = await statuses(proxied, LIMIT + 1, '/api/businesses', { ip: proxy, headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(first[LIMIT]).toBe(429);
    // Same proxy, another client: its own budget.
    expect((await get(proxied, '/api/businesses', { ip: proxy, headers: { 'x-forwarded-for': '198.51.100.8' } })).statusCode).toBe(200);
  });
});

describe.skipIf((await missing('postgres')) || (await missing('redis')))('app rate limit across replicas (Redis)', () => {
  const SYNC_MS = 50;
  let a: TestApp;
  let b: TestApp;
  let exactA: TestApp;
  let exactB: TestApp;
  let redisDown: TestApp;
  let exactRedisDown: TestApp;
  let admin: Redis;
  const prefix = `ratelimit-test-${process.pid}-${Date.now()}:`;
  const exactPrefix = `${prefix}exact:`;
  const sharedHits = async (ip: string) => Number(await admin.get(`${prefix}ratelimit:{default:${ip}}:hits`));

  beforeAll(async () => {
    admin = new Redis(REDIS_TEST_URL);
    const deadRedis = `redis://127.0.0.1:${await freePort()}/0`;
    const batched = limited({ REDIS_KEY_PREFIX: prefix, RATE_LIMIT_SYNC_MS: String(SYNC_MS) });
    const exact = limited({ REDIS_KEY_PREFIX: exactPrefix, RATE_LIMIT_SYNC_MS: '0' });
    [a, b, exactA, exactB, redisDown, exactRedisDown] = await Promise.all([
      createTestApp({ redis: true, env: batched }),
      createTestApp({ redis: true, env: batched }),
      createTestApp({ redis: true, env: exact }),
      createTestApp({ redis: true, env: exact }),
      createTestApp({ env: limited({ REDIS_URL: deadRedis }) }),
      createTestApp({ env: limited({ REDIS_URL: deadRedis, RATE_LIMIT_SYNC_MS: '0' }) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), exactA?.close(), exactB?.close(), redisDown?.close(), exactRedisDown?.close()]);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin?.disconnect();
  });

  it('shares one budget between two replicas, each counting locally and syncing every RATE_LIMIT_SYNC_MS', async () => {
    const ip = '203.0.113.9';
    expect(await statuses(a, 3, '/api/businesses', { ip })).toEqual([200, 200, 200]);
    // a's hits reach Redis with its next sync; b's first request of the window reads them there.
    await vi.waitFor(async () => expect(await sharedHits(ip)).toBe(3));
    expect(await statuses(b, 3, '/api/businesses', { ip })).toEqual([200, 200, 429]);
    // a decides on the count of its own last sync (it may let a request through meanwhile, the
    // bounded overshoot) and refuses once a sync has brought it b's block.
    await vi.waitFor(async () => expect((await get(a, '/api/businesses', { ip })).statusCode).toBe(429), { timeout: 2000, interval: SYNC_MS });
    expect((await get(b, '/api/businesses', { ip })).statusCode).toBe(429);
  });

  it('shares one budget exactly, with no wait, when RATE_LIMIT_SYNC_MS=0 (every request awaits Redis)', async () => {
    const ip = '203.0.113.11';
    const codes = [
      ...(await statuses(exactA, 3, '/api/businesses', { ip })),
      ...(await statuses(exactB, 2, '/api/businesses', { ip })),
      (await get(exactA, '/api/businesses', { ip })).statusCode,
      (await get(exactB, '/api/businesses', { ip })).statusCode,
    ];
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Every request, refused ones too, is already in the shared count: none waits for a sync.
    expect(Number(await admin.get(`${exactPrefix}ratelimit:{default:${ip}}:hits`))).toBe(7);
  });

  it('keeps serving, and still limits per replica, while Redis is unreachable, synced or exact', async () => {
    for (const app of [redisDown, exactRedisDown]) {
      const codes = await statuses(app, LIMIT + 1, '/api/businesses', { ip: '203.0.113.10' });
      expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
      expect(codes[LIMIT]).toBe(429);
    }
  });
});
