import { COUNTED_ROUTES_SELECTOR } from './counted-routes';
import { PrometheusClient } from './prometheus.client';
import { AVAILABILITY_OBJECTIVE, errorBudgetRemaining, LATENCY_THRESHOLD_SECONDS } from './slo.math';
import { DAY_MS, HOUR_MS, SloReport, SloSource } from './slo-report';

// The metrics module's names: http_requests_total{method,route,status} and the
// http_request_duration_seconds histogram, over the routes the page counts. A 5xx is a failure; a
// 4xx is the client's mistake. `or vector(0)`: with no 5xx series at all the ratio is 0, not "no data".
const availabilityQuery = (window: string) =>
  `1 - ((sum(increase(http_requests_total{${COUNTED_ROUTES_SELECTOR},status=~"5.."}[${window}])) or vector(0)) / sum(increase(http_requests_total{${COUNTED_ROUTES_SELECTOR}}[${window}])))`;

const p95Query = (window: string) =>
  `histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{${COUNTED_ROUTES_SELECTOR}}[${window}])))`;

const clampRatio = (v: number | null) => (v === null ? null : Math.min(1, Math.max(0, v)));

/** The figures from Prometheus: every replica, over the whole retention. */
export class PrometheusSloSource implements SloSource {
  constructor(private readonly prometheus: PrometheusClient) {}

  async report(now: Date): Promise<SloReport> {
    // Whole seconds, so the range points' timestamps come back exactly as computed below.
    const t = Math.floor(now.getTime() / 1000) * 1000;
    now = new Date(t);
    const [a24h, a7d, a30d, p95, hourlyA, hourlyP95, dailyA] = await Promise.all([
      this.prometheus.query(availabilityQuery('1d'), now),
      this.prometheus.query(availabilityQuery('7d'), now),
      this.prometheus.query(availabilityQuery('30d'), now),
      this.prometheus.query(p95Query('1d'), now),
      this.prometheus.queryRange(availabilityQuery('1h'), new Date(t - 23 * HOUR_MS), now, 3600),
      this.prometheus.queryRange(p95Query('1h'), new Date(t - 23 * HOUR_MS), now, 3600),
      this.prometheus.queryRange(availabilityQuery('1d'), new Date(t - 29 * DAY_MS), now, 86_400),
    ]);
    const month = clampRatio(a30d);
    // Range points are evaluated at start + k * step: each one covers the window ending there.
    const at = (k: number, count: number, step: number) => Math.round((t - (count - 1 - k) * step) / 1000);
    return {
      source: 'prometheus',
      since: null,
      objective: AVAILABILITY_OBJECTIVE,
      availability: { '24h': clampRatio(a24h), '7d': clampRatio(a7d), '30d': month },
      errorBudgetRemaining: errorBudgetRemaining(month),
      latency: { p95Seconds: p95, thresholdSeconds: LATENCY_THRESHOLD_SECONDS },
      hourly: Array.from({ length: 24 }, (_, k) => {
        const key = at(k, 24, HOUR_MS);
        return {
          at: new Date(key * 1000 - HOUR_MS).toISOString(),
          availability: clampRatio(hourlyA.get(key) ?? null),
          p95Seconds: hourlyP95.get(key) ?? null,
        };
      }),
      daily: Array.from({ length: 30 }, (_, k) => {
        const key = at(k, 30, DAY_MS);
        return { at: new Date(key * 1000 - DAY_MS).toISOString(), availability: clampRatio(dailyA.get(key) ?? null) };
      }),
    };
  }
}
