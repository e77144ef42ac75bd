/** What the status page shows about the service level; the same shape whatever the source. */
export interface SloReport {
  /** 'prometheus' when PROMETHEUS_URL answered, 'process' for this process's own counters. */
  source: 'prometheus' | 'process';
  /** For 'process': when counting began (the figures cover no more than this process's life). */
  since: string | null;
  objective: number;
  availability: { '24h': number | null; '7d': number | null; '30d': number | null };
  /** Of the 30-day error budget; null without traffic. */
  errorBudgetRemaining: number | null;
  latency: { p95Seconds: number | null; thresholdSeconds: number };
  /** The last 24 hours, one point per hour, oldest first. */
  hourly: Array<{ at: string; availability: number | null; p95Seconds: number | null }>;
  /** The last 30 days, one point per day, oldest first. */
  daily: Array<{ at: string; availability: number | null }>;
}

export interface SloSource {
  report(now: Date): Promise<SloReport>;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
