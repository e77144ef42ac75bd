import { describe, expect, it } from 'vitest';
import { ProcessSloSource } from './process-slo.source';
import { RequestStatsRecorder } from './request-stats.recorder';
import { DAY_MS, HOUR_MS } from './slo-report';

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RequestStatsRecorder', () => {
  const T0 = Date.UTC(2026, 10, 1, 10, 30);

  it('counts 5xx as failures and 4xx as successes', () => {
    const c = clock(T0);
    const r = new RequestStatsRecorder(c.now);
    r.record(200, 0.01);
    r.record(404, 0.01);
    r.record(503, 0.01);
    r.record(500, 0.01);
    expect(r.window(DAY_MS)).toMatchObject({ total: 4, errors: 2, availability: 0.5 });
  });

  it('keeps requests in hourly windows: older hours leave the 24 h window but stay in 7 days', () => {
    const c = clock(T0);
    const r = new RequestStatsRecorder(c.now);
    r.record(500, 0.01);
    c.advance(2 * DAY_MS);
    r.record(200, 0.01);
    expect(r.window(DAY_MS)).toMatchObject({ total: 1, errors: 0 });
    expect(r.window(7 * DAY_MS)).toMatchObject({ total: 2, errors: 1 });
  });

  it('forgets what is older than 30 days, whatever the traffic', () => {
    const c = clock(T0);
    const r = new RequestStatsRecorder(c.now);
    r.record(500, 0.01);
    for (let h = 0; h < 31 * 24; h++) {
      c.advance(HOUR_MS);
      r.record(200, 0.01);
    }
    expect(r.window(60 * DAY_MS).errors).toBe(0);
  });

  it('feeds the process report: hourly points oldest first, the current hour last', async () => {
    const c = clock(T0);
    const r = new RequestStatsRecorder(c.now);
    r.record(200, 0.3);
    c.advance(HOUR_MS);
    r.record(200, 0.02);
    r.record(502, 0.02);
    const report = await new ProcessSloSource(r).report(new Date(c.now()));
    expect(report.source).toBe('process');
    expect(report.since).toBe(new Date(T0).toISOString());
    expect(report.hourly).toHaveLength(24);
    expect(report.daily).toHaveLength(30);
    expect(report.hourly[23]).toMatchObject({ at: new Date(Date.UTC(2026, 10, 1, 11)).toISOString(), availability: 0.5 });
    expect(report.hourly[22].p95Seconds).toBeGreaterThan(0.2);
    expect(report.hourly[21]).toMatchObject({ availability: null, p95Seconds: null });
    expect(report.availability['24h']).toBeCloseTo(2 / 3, 9);
    expect(report.errorBudgetRemaining).toBeLessThan(0);
    expect(report.daily[29].availability).toBeCloseTo(2 / 3, 9);
    expect(report.daily[28].availability).toBeNull();
  });
});
