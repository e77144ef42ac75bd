import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/free-port';
import { answers200, ReadyProcess, spawnReady } from '../../../tests/helpers/ready-process';
import { PrometheusClient } from '../src/status/prometheus.client';
import { PrometheusSloSource } from '../src/status/prometheus-slo.source';
import { SloReport } from '../src/status/slo-report';

function installed(tool: string): boolean {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${tool} is missing, and CI=true forbids skipping (Debian package prometheus)`);
  process.stderr.write(`skipping: ${tool} is not installed (Debian package prometheus)\n`);
  return false;
}

// Three hours of traffic at 10 requests/s with one failure every 100 s (availability 0.999001),
// 90% of requests under 50 ms and the rest between 100 and 200 ms (p95 = 150 ms by interpolation).
const OK_RATE = 10;
const ERROR_RATE = 0.01;
const HOURS = 3;

function openMetrics(end: number): string {
  const start = end - HOURS * 3600;
  const times: number[] = [];
  for (let t = start; t <= end; t += 15) times.push(t);
  const lines: string[] = ['# TYPE http_requests counter'];
  const labels = 'method="GET",route="/api/businesses"';
  for (const [status, rate] of [['200', OK_RATE], ['500', ERROR_RATE]] as const) {
    for (const t of times) lines.push(`http_requests_total{${labels},status="${status}"} ${((t - start) * rate).toFixed(3)} ${t}`);
  }
  // Routes the page doesn't count (its own polling, Alertmanager's webhook): failing and slow here,
  // so a query that counted them would change every figure below.
  const uncounted = ['method="POST",route="/api/alerts/webhook"', 'method="GET",route="/api/status"'];
  for (const other of uncounted) {
    for (const t of times) lines.push(`http_requests_total{${other},status="500"} ${((t - start) * OK_RATE).toFixed(3)} ${t}`);
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  const total = OK_RATE + ERROR_RATE;
  const share: Array<[string, number]> = [['0.05', 0.9], ['0.1', 0.9], ['0.2', 1], ['+Inf', 1]];
  for (const [le, fraction] of share) {
    for (const t of times) lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${((t - start) * total * fraction).toFixed(3)} ${t}`);
  }
  for (const other of uncounted) {
    for (const [le, fraction] of [['0.05', 0], ['0.1', 0], ['0.2', 0], ['+Inf', 1]] as const) {
      for (const t of times) lines.push(`http_request_duration_seconds_bucket{${other},le="${le}"} ${((t - start) * OK_RATE * fraction).toFixed(3)} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!installed('prometheus') || !installed('promtool'))('the status queries against a real Prometheus', () => {
  let dir: string;
  let prometheus: ReadyProcess | undefined;
  let report: SloReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecosyste-prom-'));
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(join(dir, 'traffic.om'), openMetrics(now - 60));
    // Backfill: the TSDB blocks a Prometheus would have written while scraping the app.
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'traffic.om'), join(dir, 'data')], { stdio: 'ignore' });
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    prometheus = await spawnReady(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      // SIGKILL: the backfilled data is thrown away, no need to wait for Prometheus to flush it.
      { ready: answers200(`${url}/-/ready`), intervalMs: 200, stopSignal: 'SIGKILL' },
    );
    report = await new PrometheusSloSource(new PrometheusClient(url, 10_000)).report(new Date(now * 1000));
  });

  afterAll(async () => {
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('computes availability over 24 h, 7 d and 30 d from the 5xx ratio', () => {
    const expected = 1 - ERROR_RATE / (OK_RATE + ERROR_RATE);
    expect(report.source).toBe('prometheus');
    for (const window of ['24h', '7d', '30d'] as const) expect(report.availability[window]).toBeCloseTo(expected, 5);
    expect(report.errorBudgetRemaining).toBeCloseTo((expected - 0.999) / 0.001, 2);
  });

  it('computes p95 latency from the histogram buckets', () => {
    expect(report.latency.p95Seconds).toBeCloseTo(0.15, 5);
  });

  it('fills the hourly and daily series where there was traffic, and only there', () => {
    const withData = report.hourly.filter((p) => p.availability !== null);
    // The last three hourly windows end inside the traffic; older ones see none.
    expect(withData.length).toBeGreaterThanOrEqual(2);
    expect(withData.length).toBeLessThanOrEqual(HOURS + 1);
    expect(report.hourly[23].availability).toBeCloseTo(1 - ERROR_RATE / (OK_RATE + ERROR_RATE), 5);
    expect(report.hourly[23].p95Seconds).toBeCloseTo(0.15, 5);
    expect(report.hourly[0]).toEqual({ at: report.hourly[0].at, availability: null, p95Seconds: null });
    expect(report.daily[29].availability).toBeCloseTo(1 - ERROR_RATE / (OK_RATE + ERROR_RATE), 5);
    expect(report.daily.slice(0, 29).every((d) => d.availability === null)).toBe(true);
  });
});
