import { availability, histogramQuantile, LATENCY_BUCKETS } from './slo.math';
import { HOUR_MS } from './slo-report';

interface HourBucket {
  start: number;
  total: number;
  errors: number;
  /** Per latency bucket, then +Inf. */
  latency: number[];
}

export interface WindowStats {
  total: number;
  errors: number;
  availability: number | null;
  p95Seconds: number | null;
}

/** 30 days of hours: enough for the longest window the page shows, a few kilobytes in all. */
const KEPT_HOURS = 30 * 24 + 1;

/**
 * This process's requests counted per hour, for the status page when no Prometheus is configured.
 * Per-hour buckets make a 30-day window cost ~720 small objects whatever the traffic; the price is
 * windows that start on an hour boundary.
 */
export class RequestStatsRecorder {
  private readonly hours: HourBucket[] = [];
  readonly since: Date;

  constructor(private readonly clock: () => number = Date.now) {
    this.since = new Date(clock());
  }

  record(statusCode: number, seconds: number): void {
    const bucket = this.current();
    bucket.total++;
    if (statusCode >= 500) bucket.errors++;
    const index = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    bucket.latency[index === -1 ? LATENCY_BUCKETS.length : index]++;
  }

  /** Requests in the hour buckets overlapping [end - ms, end). */
  window(ms: number, end = this.clock()): WindowStats {
    const from = Math.floor((end - ms) / HOUR_MS) * HOUR_MS;
    let total = 0;
    let errors = 0;
    const latency = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
    for (const h of this.hours) {
      if (h.start < from || h.start >= end) continue;
      total += h.total;
      errors += h.errors;
      h.latency.forEach((n, i) => (latency[i] += n));
    }
    return { total, errors, availability: availability(total, errors), p95Seconds: histogramQuantile(0.95, LATENCY_BUCKETS, latency) };
  }

  private current(): HourBucket {
    const start = Math.floor(this.clock() / HOUR_MS) * HOUR_MS;
    const last = this.hours[this.hours.length - 1];
    if (last?.start === start) return last;
    const bucket: HourBucket = { start, total: 0, errors: 0, latency: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0) };
    this.hours.push(bucket);
    if (this.hours.length > KEPT_HOURS) this.hours.splice(0, this.hours.length - KEPT_HOURS);
    return bucket;
  }
}
