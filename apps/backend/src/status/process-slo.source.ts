import { RequestStatsRecorder } from './request-stats.recorder';
import { AVAILABILITY_OBJECTIVE, errorBudgetRemaining, LATENCY_THRESHOLD_SECONDS } from './slo.math';
import { DAY_MS, HOUR_MS, SloReport, SloSource } from './slo-report';

/** The figures from this process's own counters: one replica's view, since it started. */
export class ProcessSloSource implements SloSource {
  constructor(private readonly recorder: RequestStatsRecorder) {}

  async report(now: Date): Promise<SloReport> {
    const end = now.getTime();
    const day = this.recorder.window(DAY_MS, end);
    const month = this.recorder.window(30 * DAY_MS, end);
    // Points end on the next hour boundary so that each one is exactly one bucket.
    const nextHour = Math.floor(end / HOUR_MS) * HOUR_MS + HOUR_MS;
    return {
      source: 'process',
      since: this.recorder.since.toISOString(),
      objective: AVAILABILITY_OBJECTIVE,
      availability: { '24h': day.availability, '7d': this.recorder.window(7 * DAY_MS, end).availability, '30d': month.availability },
      errorBudgetRemaining: errorBudgetRemaining(month.availability),
      latency: { p95Seconds: day.p95Seconds, thresholdSeconds: LATENCY_THRESHOLD_SECONDS },
      hourly: Array.from({ length: 24 }, (_, i) => {
        const pointEnd = nextHour - (23 - i) * HOUR_MS;
        const w = this.recorder.window(HOUR_MS, pointEnd);
        return { at: new Date(pointEnd - HOUR_MS).toISOString(), availability: w.availability, p95Seconds: w.p95Seconds };
      }),
      daily: Array.from({ length: 30 }, (_, i) => {
        const pointEnd = nextHour - (29 - i) * DAY_MS;
        return { at: new Date(pointEnd - DAY_MS).toISOString(), availability: this.recorder.window(DAY_MS, pointEnd).availability };
      }),
    };
  }
}
