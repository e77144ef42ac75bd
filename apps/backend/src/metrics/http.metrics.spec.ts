import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HTTP_METRICS_BATCH_MS, HttpMetrics } from './http.metrics';

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('HttpMetrics', () => {
  it('a scrape sees every request answered before it, once', async () => {
    const registry = new Registry();
    const http = new HttpMetrics(registry);
    for (let i = 0; i < 30; i++) http.observe('GET', '/api/businesses', 200, i < 20 ? 0.003 : 0.3);
    http.observe('GET', 'unmatched', 404, 0.001);
    const first = await registry.metrics();
    expect(sample(first, 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(30);
    expect(sample(first, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample(first, 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/businesses"}')).toBe(20);
    expect(sample(first, 'http_request_duration_seconds_bucket{le="0.5",method="GET",route="/api/businesses"}')).toBe(30);
    expect(sample(first, 'http_request_duration_seconds_count{method="GET",route="/api/businesses"}')).toBe(30);
    // Nothing counted twice by a second scrape.
    const second = await registry.metrics();
    expect(sample(second, 'http_requests_total{method="GET",route="/api/businesses",status="200"}')).toBe(30);
  });

  it('applies the batch on its own, without a scrape, so observations never pile up', async () => {
    const http = new HttpMetrics(new Registry());
    for (let i = 0; i < 100; i++) http.observe('POST', '/api/businesses', 201, 0.02);
    expect(http['pending'].size).toBe(100);
    await new Promise((resolve) => setTimeout(resolve, HTTP_METRICS_BATCH_MS * 3));
    expect(http['pending'].size).toBe(0);
  });
});
