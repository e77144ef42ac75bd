import { describe, expect, it } from 'vitest';
import { availability, errorBudgetRemaining, histogramQuantile, LATENCY_BUCKETS } from './slo.math';

describe('SLO arithmetic', () => {
  it('computes availability from 5xx counts, and none without traffic', () => {
    expect(availability(1000, 1)).toBeCloseTo(0.999, 9);
    expect(availability(0, 0)).toBeNull();
  });

  it('spends the 0.1% error budget linearly: untouched, half, spent, overspent', () => {
    expect(errorBudgetRemaining(1)).toBeCloseTo(1, 9);
    expect(errorBudgetRemaining(0.9995)).toBeCloseTo(0.5, 6);
    expect(errorBudgetRemaining(0.999)).toBeCloseTo(0, 6);
    expect(errorBudgetRemaining(0.998)).toBeCloseTo(-1, 6);
    expect(errorBudgetRemaining(null)).toBeNull();
  });

  it('interpolates a quantile inside its bucket, as histogram_quantile does', () => {
    // 100 requests: 90 under 5 ms, 10 between 100 and 200 ms. p95 = rank 95, halfway into (0.1, 0.2].
    const counts = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    counts[0] = 90;
    counts[LATENCY_BUCKETS.indexOf(0.2)] = 10;
    expect(histogramQuantile(0.95, LATENCY_BUCKETS, counts)).toBeCloseTo(0.15, 9);
    expect(histogramQuantile(0.5, LATENCY_BUCKETS, counts)).toBeCloseTo(0.005 * (50 / 90), 9);
  });

  it('reports the last bound for requests slower than every bucket, and null without data', () => {
    const counts = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    counts[LATENCY_BUCKETS.length] = 3;
    expect(histogramQuantile(0.95, LATENCY_BUCKETS, counts)).toBe(5);
    expect(histogramQuantile(0.95, LATENCY_BUCKETS, counts.fill(0))).toBeNull();
  });
});
