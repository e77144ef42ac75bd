import { Counter, Histogram, Registry } from 'prom-client';
import { Batch } from '../common/batch';

/**
 * The seed's 0.1–5 s buckets, with finer ones below (our latencies are milliseconds) and 0.2 for
 * the 200 ms response-time objective.
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/** How long an answered request may wait before it is counted with the others of its batch. */
export const HTTP_METRICS_BATCH_MS = 50;

class Observation {
  constructor(
    readonly method: string,
    readonly route: string,
    readonly status: number,
    readonly seconds: number,
  ) {}
}

/**
 * http_requests_total and http_request_duration_seconds. A request only records what it observed;
 * the observations are applied to the prom-client series in batches — every HTTP_METRICS_BATCH_MS,
 * and always before a scrape reads them (prom-client's `collect`), so a scrape never misses one.
 * Applied one at a time, between the rest of a request's work, the label hashing and bucket search
 * cost several times what they cost in a batch.
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly pending = new Batch<Observation>(HTTP_METRICS_BATCH_MS, (observations) => this.record(observations));

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, matched route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect: () => this.pending.flush(),
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its response, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
      collect: () => this.pending.flush(),
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.pending.push(new Observation(method, route, status, seconds));
  }

  private record(observations: Observation[]): void {
    for (const o of observations) {
      this.requests.inc({ method: o.method, route: o.route, status: String(o.status) });
      this.duration.observe({ method: o.method, route: o.route }, o.seconds);
    }
  }
}
