/** The SloSource the status page reads: Prometheus when configured, else this process's counters. */
export const SLO_SOURCE = Symbol('SLO_SOURCE');
