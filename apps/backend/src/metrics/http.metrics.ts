import type { Metric, Registry } from 'prom-client';

/** A sample as prom-client's registry formats it: `metricName` for a histogram's _bucket/_sum/_count lines. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The seed's 0.1–5 s buckets, with finer ones below (our latencies are milliseconds) and 0.2 for
 * the 200 ms response-time objective.
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/** One method on one route: its duration histogram (per-bucket counts, +Inf last) and its count per status. */
class RouteSeries {
  readonly buckets = new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;
  readonly statuses = new Map<number, number>();
}

/**
 * http_requests_total{method,route,status} and http_request_duration_seconds{method,route}, in the
 * text prom-client writes for its own Counter and Histogram, but counted here.
 *
 * prom-client turns the labels of every observation into a sorted key string, checks each label
 * name, and looks the string up — for the two metrics, more CPU than everything else a request's
 * monitoring does. Here the series are found by the route and method strings themselves (Fastify's
 * route template and Node's method, the same string objects request after request) and the status
 * number: a few map lookups and additions, with nothing to batch or to catch up with at scrape time.
 */
export class HttpMetrics {
  // route → method → series: bounded by the route templates and methodLabel's values (route-label.ts).
  private readonly series = new Map<string, Map<string, RouteSeries>>();

  constructor(registry: Registry) {
    registry.registerMetric(
      this.metric('http_requests_total', 'HTTP requests served, by method, matched route template and status code.', 'counter', () => this.requestValues()),
    );
    registry.registerMetric(
      this.metric(
        'http_request_duration_seconds',
        'Time from receiving an HTTP request to sending its response, by method and route template.',
        'histogram',
        () => this.durationValues(),
      ),
    );
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.series.get(route);
    if (byMethod === undefined) this.series.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (series === undefined) byMethod.set(method, (series = new RouteSeries()));
    series.count++;
    series.sum += seconds;
    // A bucket counts the observations at or below its bound, as Prometheus's `le` says.
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]) bucket++;
    series.buckets[bucket]++;
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
  }

  private *eachSeries(): Generator<[string, string, RouteSeries]> {
    for (const [route, byMethod] of this.series) for (const [method, series] of byMethod) yield [method, route, series];
  }

  private requestValues(): Sample[] {
    const values: Sample[] = [];
    for (const [method, route, series] of this.eachSeries()) {
      for (const [status, count] of series.statuses) values.push({ labels: { method, route, status: String(status) }, value: count });
    }
    return values;
  }

  private durationValues(): Sample[] {
    const name = 'http_request_duration_seconds';
    const values: Sample[] = [];
    for (const [method, route, series] of this.eachSeries()) {
      let cumulative = 0;
      HTTP_DURATION_BUCKETS.forEach((le, i) => {
        cumulative += series.buckets[i];
        values.push({ metricName: `${name}_bucket`, labels: { le, method, route }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', method, route }, value: series.count });
      values.push({ metricName: `${name}_sum`, labels: { method, route }, value: series.sum });
      values.push({ metricName: `${name}_count`, labels: { method, route }, value: series.count });
    }
    return values;
  }

  /** What the registry asks of a metric: its name, help and type, its values, and a reset. */
  private metric(name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): Metric {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.series.clear(),
    };
    // The registry reads only these members (prom-client's Registry#getMetricsAsString).
    return metric as unknown as Metric;
  }
}
