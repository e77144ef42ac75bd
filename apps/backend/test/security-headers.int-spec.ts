import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import { cspHeaderValue } from '../src/security/content-security-policy';
import { createTestApp, TestApp } from './support/test-app';

const ALLOWED = 'https://ecosyste.com';
const FOREIGN = 'https://evil.example';

/** Helmet joins directives with ';', nginx with '; ': the policy is the same either way. */
function directives(csp: unknown): string[] {
  return String(csp)
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
}

function expectHardened(headers: Record<string, unknown>): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['strict-transport-security']).toBe('max-age=63072000');
  expect(directives(headers['content-security-policy'])).toEqual(directives(cspHeaderValue()));
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-xss-protection']).toBe('0');
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers.server).toBeUndefined();
}

describe.skipIf(await missing('postgres'))('app hardening: helmet headers, CORS allow-list, no leaks', () => {
  let closed: TestApp;
  let open: TestApp;

  beforeAll(async () => {
    [closed, open] = await Promise.all([createTestApp(), createTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, https://www.ecosyste.com` } })]);
  });
  afterAll(async () => {
    await Promise.all([closed?.close(), open?.close()]);
  });

  it('sends the security headers on a success, a 404, a 400 and a 413', async () => {
    const ok = await closed.app.inject({ url: '/api/businesses?limit=1' });
    expect(ok.statusCode).toBe(200);
    expectHardened(ok.headers);

    const notFound = await closed.app.inject({ url: '/wp-admin/setup.php' });
    expect(notFound.statusCode).toBe(404);
    expectHardened(notFound.headers);

    const bad = await closed.app.inject({ url: '/api/businesses/not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expectHardened(bad.headers);

    const tooLarge = await closed.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ statusCode: 413 });
    expectHardened(tooLarge.headers);
  });

  it('leaks no stack trace, framework or version in error bodies', async () => {
    const responses = await Promise.all([
      closed.app.inject({ url: '/api/businesses?page=-1' }),
      closed.app.inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'application/json' }, payload: '{"broken' }),
      closed.app.inject({ url: '/api/businesses/00000000-0000-4000-8000-000000000000' }),
    ]);
    for (const res of responses) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|fastify|nestjs|express/i);
      expect(res.body).not.toContain(closed.config.version);
      expect(Object.keys(res.json()).sort()).toEqual(expect.arrayContaining(['error', 'message', 'statusCode']));
    }
  });

  it('allows no foreign origin by default: no CORS header on requests or preflights', async () => {
    const simple = await closed.app.inject({ url: '/api/businesses?limit=1', headers: { origin: ALLOWED } });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await closed.app.inject({
      method: 'OPTIONS',
      url: '/api/businesses',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    // Refused as any OPTIONS request the API doesn't serve: a browser then blocks the call.
    expect(preflight.statusCode).toBe(404);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('answers only the origins in CORS_ORIGINS', async () => {
    const allowed = await open.app.inject({ url: '/api/businesses?limit=1', headers: { origin: ALLOWED } });
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(allowed.headers.vary)).toMatch(/origin/i);

    const foreign = await open.app.inject({ url: '/api/businesses?limit=1', headers: { origin: FOREIGN } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await open.app.inject({
      method: 'OPTIONS',
      url: '/api/businesses',
      headers: { origin: 'https://www.ecosyste.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://www.ecosyste.com');
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('PATCH');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');

    const foreignPreflight = await open.app.inject({
      method: 'OPTIONS',
      url: '/api/businesses',
      headers: { origin: FOREIGN, 'access-control-request-method': 'DELETE' },
    });
    expect(foreignPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});
