import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import type { RootLogger } from '../src/logging/logger.factory';
import { ROOT_LOGGER } from '../src/logging/request-log.hook';
import { MetricsService } from '../src/metrics/metrics.service';
import { createTestApp, TestApp } from './support/test-app';

const METRICS_TOKEN = 'scrape-token-0123456789';

/** Sample lines (not comments) of the exposition whose metric name starts with one of the prefixes. */
function samples(text: string, ...prefixes: string[]): string[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#') && prefixes.some((p) => line.startsWith(p)));
}

function sampleValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

describe.skipIf(await missing('postgres'))('GET /metrics (in-process app on PostgreSQL)', () => {
  let t: TestApp;
  let secured: TestApp;
  let disabled: TestApp;
  const scrape = async (app = t) => (await app.app.inject({ url: '/metrics' })).body;

  beforeAll(async () => {
    [t, secured, disabled] = await Promise.all([
      createTestApp({ env: { RATE_LIMIT_MAX: '0' } }),
      // LOG_LEVEL=info with createApp's `logger: false`: still silent (checked below).
      createTestApp({ env: { METRICS_TOKEN, LOG_LEVEL: 'info' } }),
      createTestApp({ env: { METRICS_ENABLED: 'false' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), secured?.close(), disabled?.close()]);
  });

  it('serves the Prometheus text format with the seed names, labels and buckets', async () => {
    await t.app.inject({ url: '/api/businesses?limit=2' });
    await t.app.inject({ url: '/api/businesses?limit=2' });
    await t.app.inject({ url: `/api/businesses/${randomUUID()}` });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;

    expect(text).toContain('# TYPE http_requests_total counter');
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(2);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/api/businesses/:id",status="404"}')).toBe(1);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const buckets = samples(text, 'http_request_duration_seconds_bucket{')
      .filter((l) => l.includes('route="/api/businesses"'))
      .map((l) => /le="([^"]+)"/.exec(l)![1]);
    expect(buckets).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.2', '0.5', '1', '2', '5', '+Inf']);
    expect(sampleValue(text, 'http_request_duration_seconds_count{method="GET",route="/api/businesses"}')).toBe(2);

    expect(text).toMatch(/^active_connections \d+$/m);
    for (const state of ['total', 'idle', 'waiting']) expect(text).toMatch(new RegExp(`^db_pool_connections\\{state="${state}"\\} \\d+$`, 'm'));
    expect(sampleValue(text, 'db_query_duration_seconds_count{operation="select"}')).toBeGreaterThan(0);
    // Same list twice: the second read is a hit of the in-memory cache.
    expect(sampleValue(text, 'cache_hits_total{cache="memory"}')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'cache_misses_total{cache="memory"}')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'cache_errors_total{cache="memory"}')).toBe(0);
    expect(sampleValue(text, `app_info{version="${t.config.version}",commit="unknown"}`)).toBe(1);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('passes `promtool check metrics` without a single remark', async () => {
    await t.app.inject({ url: '/api/businesses' });
    const result = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(), encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('labels by route template: 100 distinct ids and 100 scanner paths add no series', async () => {
    const probe = () => t.app.inject({ url: `/api/businesses/${randomUUID()}` });
    const scan = (i: number) => t.app.inject({ url: [`/wp-admin/setup-${i}.php`, `/.env.${i}`, `/cgi-bin/${i}`, `/api/v${i}/x?y=${i}`][i % 4] });
    const invalid = (i: number) => t.app.inject({ url: `/api/businesses/not-a-uuid-${i}` });
    // One of each kind first, so every (route, status) pair exists before counting.
    await Promise.all([probe(), scan(0), invalid(0)]);
    const before = samples(await scrape(), 'http_requests_total', 'http_request_duration_seconds');
    const countBefore = sampleValue(before.join('\n'), 'http_requests_total{method="GET",route="unmatched",status="404"}');

    for (let i = 1; i <= 100; i++) await Promise.all([probe(), scan(i), invalid(i)]);

    const after = samples(await scrape(), 'http_requests_total', 'http_request_duration_seconds');
    expect(after.map((l) => l.split(' ')[0])).toEqual(before.map((l) => l.split(' ')[0]));
    expect(sampleValue(after.join('\n'), 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(countBefore + 100);
    expect(after.join('\n')).not.toMatch(/wp-admin|\.env|cgi-bin|not-a-uuid/);
  });

  it('leaves probes and scrapes out of the HTTP series', async () => {
    for (const url of ['/health/live', '/health/ready', '/health', '/metrics']) await t.app.inject({ url });
    const text = await scrape();
    expect(samples(text, 'http_requests_total').join('\n')).not.toMatch(/route="\/(health|metrics)/);
  });

  it('echoes a valid X-Request-Id and replaces an invalid one, with logging off', async () => {
    const kept = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'lb-7f3a.42' } });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42');
    const replaced = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const none = await secured.app.inject({ url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await secured.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    const ok = await secured.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_requests_total');
  });

  it("createApp's `logger: false` silences the request log whatever LOG_LEVEL says", () => {
    expect(secured.config.logging.level).toBe('info');
    expect(secured.app.get<typeof ROOT_LOGGER, RootLogger>(ROOT_LOGGER).logger.level).toBe('silent');
  });

  it('METRICS_ENABLED=false: no /metrics route and no metrics service at all', async () => {
    expect((await disabled.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    expect(() => disabled.app.get(MetricsService)).toThrow();
    expect((await disabled.app.inject({ url: '/api/businesses' })).statusCode).toBe(200);
  });
});
