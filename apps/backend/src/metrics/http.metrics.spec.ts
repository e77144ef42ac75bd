import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HTTP_DURATION_BUCKETS, HttpMetrics } from './http.metrics';

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

// Durations on, just above and below bucket bounds, and past the last one.
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/api/businesses', 200, 0.003],
  ['GET', '/api/businesses', 200, 0.005],
  ['GET', '/api/businesses', 200, 0.0050001],
  ['GET', '/api/businesses', 304, 0.2],
  ['GET', '/api/businesses', 503, 7],
  ['GET', '/api/businesses/:id', 404, 0.012],
  ['POST', '/api/businesses', 201, 0.049],
  ['GET', 'unmatched', 404, 0.001],
  ['OTHER', 'unmatched', 404, 0],
];

describe('HttpMetrics', () => {
  it("writes exactly what prom-client's own Counter and Histogram write for the same requests", async () => {
    const ours = new Registry();
    const http = new HttpMetrics(ours);
    const reference = new Registry();
    const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served, by method, matched route template and status code.', labelNames: ['method', 'route', 'status'], registers: [reference] });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its response, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [reference],
    });
    for (const [method, route, status, seconds] of [...OBSERVATIONS, ...OBSERVATIONS.slice(0, 3)]) {
      http.observe(method, route, status, seconds);
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    }
    const lines = (text: string) => text.split('\n').sort();
    expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
  });

  it('a scrape sees every request answered before it, once', async () => {
    const registry = new Registry();
    const http = new HttpMetrics(registry);
    for (let i = 0; i < 30; i++) http.observe('GET', '/api/businesses', 200, i < 20 ? 0.003 : 0.3);
    const first = await registry.metrics();
    expect(sample(first, 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(30);
    expect(sample(first, 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/businesses"}')).toBe(20);
    expect(sample(first, 'http_request_duration_seconds_bucket{le="0.5",method="GET",route="/api/businesses"}')).toBe(30);
    expect(sample(first, 'http_request_duration_seconds_count{method="GET",route="/api/businesses"}')).toBe(30);
    const second = await registry.metrics();
    expect(sample(second, 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(30);
    http.observe('GET', '/api/businesses', 200, 0.003);
    expect(sample(await registry.metrics(), 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(31);
  });

  it("starts again from zero when the registry's metrics are reset", async () => {
    const registry = new Registry();
    const http = new HttpMetrics(registry);
    http.observe('GET', '/api/businesses', 200, 0.003);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/api/businesses"');
    http.observe('GET', '/api/businesses', 200, 0.003);
    expect(sample(await registry.metrics(), 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(1);
  });
});
