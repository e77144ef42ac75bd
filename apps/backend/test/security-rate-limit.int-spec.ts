import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/free-port';
import { missing } from '../../../tests/helpers/services';
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
  let a: TestApp;
  let b: TestApp;
  let redisDown: TestApp;
  const prefix = `ratelimit-test-${process.pid}-${Date.now()}:`;

  beforeAll(async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}/0`;
    [a, b, redisDown] = await Promise.all([
      createTestApp({ redis: true, env: limited({ REDIS_KEY_PREFIX: prefix }) }),
      createTestApp({ redis: true, env: limited({ REDIS_KEY_PREFIX: prefix }) }),
      createTestApp({ env: limited({ REDIS_URL: deadRedis }) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), redisDown?.close()]);
  });

  it('shares one budget between two replicas', async () => {
    const ip = '203.0.113.9';
    const codes = [
      ...(await statuses(a, 3, '/api/businesses', { ip })),
      ...(await statuses(b, 2, '/api/businesses', { ip })),
      (await get(a, '/api/businesses', { ip })).statusCode,
      (await get(b, '/api/businesses', { ip })).statusCode,
    ];
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('keeps serving, and still limits per replica, while Redis is unreachable', async () => {
    const codes = await statuses(redisDown, LIMIT + 1, '/api/businesses', { ip: '203.0.113.10' });
    expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(codes[LIMIT]).toBe(429);
  });
});
