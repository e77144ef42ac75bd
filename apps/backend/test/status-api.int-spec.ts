import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/free-port';
import { missing } from '../../../tests/helpers/services';
import { RequestStatsRecorder } from '../src/status/request-stats.recorder';
import { DAY_MS } from '../src/status/slo-report';
import { createTestApp, TestApp } from './support/test-app';

const status = async (t: TestApp) => {
  const res = await t.app.inject({ url: '/api/status' });
  expect(res.statusCode).toBe(200);
  return { res, body: res.json() };
};

/** A stand-in for Prometheus's HTTP API that records the queries it gets. */
async function fakePrometheus(): Promise<{ url: string; queries: string[]; server: Server }> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = url.searchParams.get('query') ?? '';
    queries.push(`${url.pathname} ${query}`);
    const value = query.startsWith('histogram_quantile') ? '0.042' : query.includes('[7d]') ? '0.998' : '0.9995';
    let data;
    if (url.pathname === '/api/v1/query') {
      data = { resultType: 'vector', result: [{ metric: {}, value: [Number(url.searchParams.get('time')), value] }] };
    } else {
      const start = Number(url.searchParams.get('start'));
      const step = Number(url.searchParams.get('step'));
      const end = Number(url.searchParams.get('end'));
      const values = [];
      // The oldest point has no data: Prometheus leaves such steps out.
      for (let t = start + step; t <= end + 1e-6; t += step) values.push([t, value]);
      data = { resultType: 'matrix', result: [{ metric: {}, values }] };
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, server };
}

describe.skipIf(await missing('postgres'))('GET /api/status', () => {
  describe("from the app's own counters", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reports every component operational and counts API requests, not its own polling', async () => {
      for (let i = 0; i < 5; i++) expect((await t.app.inject({ url: '/api/businesses' })).statusCode).toBe(200);
      // A client error is the client's: it doesn't count against availability.
      expect((await t.app.inject({ url: '/api/businesses?page=0' })).statusCode).toBe(400);
      await status(t);
      const { res, body } = await status(t);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(body.overall).toBe('operational');
      expect(body.components).toEqual([
        { id: 'api', status: 'operational' },
        { id: 'database', status: 'operational' },
        { id: 'cache', status: 'operational' },
      ]);
      expect(body.slo).toMatchObject({ source: 'process', objective: 0.999, availability: { '24h': 1, '7d': 1, '30d': 1 }, errorBudgetRemaining: 1 });
      expect(body.slo.latency.thresholdSeconds).toBe(0.2);
      expect(body.slo.latency.p95Seconds).toBeGreaterThan(0);
      expect(body.slo.hourly).toHaveLength(24);
      expect(body.slo.daily).toHaveLength(30);
      expect(body.incidents).toEqual({ open: [], past: [] });
    });

    it('shows a lost database as a major outage, and the failed requests in the figures', async () => {
      await t.database.drop();
      const failed = await t.app.inject({ url: '/api/businesses?q=after-the-drop' });
      expect(failed.statusCode).toBe(500);
      const { body } = await status(t);
      expect(body.overall).toBe('major_outage');
      expect(body.components.find((c: { id: string }) => c.id === 'database').status).toBe('down');
      expect(body.incidents).toBeNull();
      expect(JSON.stringify(body)).not.toMatch(/ecosyste_test|127\.0\.0\.1|postgres/i);
      // The page's figures are cached for 15 s; the counters behind them saw 6 answered requests and this failure.
      expect(t.app.get(RequestStatsRecorder).window(DAY_MS)).toMatchObject({ total: 7, errors: 1 });
    });
  });

  it('shows a cache that does not answer as down, and the service as degraded', async () => {
    const t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` } });
    try {
      const { body } = await status(t);
      expect(body.components.find((c: { id: string }) => c.id === 'cache').status).toBe('down');
      expect(body.overall).toBe('degraded');
      expect(JSON.stringify(body)).not.toMatch(/redis|127\.0\.0\.1/i);
    } finally {
      await t.close();
    }
  });

  describe('from Prometheus when PROMETHEUS_URL is set', () => {
    let t: TestApp;
    let prometheus: Awaited<ReturnType<typeof fakePrometheus>>;
    beforeAll(async () => {
      prometheus = await fakePrometheus();
      t = await createTestApp({ env: { PROMETHEUS_URL: `${prometheus.url}/` } });
    });
    afterAll(async () => {
      await t?.close();
      prometheus?.server.close();
    });

    it("reads the figures from Prometheus's HTTP API and shows none of its internals", async () => {
      const { res, body } = await status(t);
      expect(body.slo).toMatchObject({
        source: 'prometheus',
        since: null,
        availability: { '24h': 0.9995, '7d': 0.998, '30d': 0.9995 },
        latency: { p95Seconds: 0.042, thresholdSeconds: 0.2 },
      });
      expect(body.slo.errorBudgetRemaining).toBeCloseTo(0.5, 6);
      expect(body.slo.hourly).toHaveLength(24);
      expect(body.slo.hourly[0]).toMatchObject({ availability: null, p95Seconds: null });
      expect(body.slo.hourly[23]).toMatchObject({ availability: 0.9995, p95Seconds: 0.042 });
      expect(body.slo.daily[0].availability).toBeNull();
      expect(body.slo.daily[29].availability).toBe(0.9995);
      expect(new Date(body.slo.hourly[23].at).getTime()).toBeLessThanOrEqual(Date.now() - 3_600_000 + 1000);

      expect(prometheus.queries).toHaveLength(7);
      expect(prometheus.queries.every((q) => q.includes('http_request'))).toBe(true);
      expect(prometheus.queries.filter((q) => q.startsWith('/api/v1/query_range'))).toHaveLength(3);
      expect(res.body).not.toContain(prometheus.url.replace('http://', ''));
      expect(res.body).not.toMatch(/http_requests_total|histogram_quantile/);

      // Cached: a public page polled by many must not multiply Prometheus queries.
      await status(t);
      expect(prometheus.queries).toHaveLength(7);
    });
  });

  it("falls back to the app's own counters when Prometheus does not answer", async () => {
    const t = await createTestApp({ env: { PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` } });
    try {
      const { body } = await status(t);
      expect(body.slo.source).toBe('process');
      expect(body.overall).toBe('operational');
    } finally {
      await t.close();
    }
  });
});
