import { HTTP_DURATION_BUCKETS } from '../metrics/http.metrics';

/** The seed's promises: 99.9% of requests succeed, and requests take under 200 ms (p95). */
export const AVAILABILITY_OBJECTIVE = 0.999;
export const LATENCY_THRESHOLD_SECONDS = 0.2;

/**
 * Upper bounds of the in-process latency histogram: the metrics module's own, so both sources round
 * alike; 0.2 is a bound so "under 200 ms" is exact rather than interpolated.
 */
export const LATENCY_BUCKETS: readonly number[] = HTTP_DURATION_BUCKETS;

/** Share of requests that did not fail with a 5xx; null without traffic (no data is not 100%). */
export function availability(total: number, errors: number): number | null {
  if (total <= 0) return null;
  return Math.max(0, 1 - errors / total);
}

/**
 * Share of the error budget (the 0.1% of requests allowed to fail) still unspent: 1 untouched,
 * 0 spent, negative when overspent.
 */
export function errorBudgetRemaining(avail: number | null, objective = AVAILABILITY_OBJECTIVE): number | null {
  if (avail === null) return null;
  return (avail - objective) / (1 - objective);
}

/**
 * The q-quantile of a histogram given per-bucket counts (not cumulative; one more count than
 * bounds, for +Inf), interpolated linearly inside the bucket as Prometheus's histogram_quantile.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i];
    if (cumulative >= rank && counts[i] > 0) {
      // Past the last bound nothing is known but "slower than it": report the bound.
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * ((rank - before) / counts[i]);
    }
  }
  return bounds[bounds.length - 1];
}
