import { Inject, Injectable } from '@nestjs/common';
import { ThrottledWarning } from '../common/throttled-warning';
import { IncidentsService, PublicIncident } from '../alerts/incidents.service';
import type { StatusComponent } from '../alerts/incident-wording';
import { CacheService } from '../cache/cache.service';
import { DatabaseClient } from '../database/database.client';
import { ComponentState, probe } from './component.probe';
import { ProcessSloSource } from './process-slo.source';
import { SLO_SOURCE } from './status.tokens';
import { SloReport, SloSource } from './slo-report';

export type OverallState = 'operational' | 'degraded' | 'major_outage';

export interface StatusReport {
  generatedAt: string;
  overall: OverallState;
  components: Array<{ id: StatusComponent; status: ComponentState }>;
  slo: SloReport;
  /** null when the incidents could not be read (the database is down). */
  incidents: { open: PublicIncident[]; past: PublicIncident[] } | null;
}

const PING_TIMEOUT_MS = 1000;
/** The figures change slowly and cost Prometheus seven queries: a public page must not multiply them. */
const SLO_CACHE_MS = 15_000;

@Injectable()
export class StatusService {
  // Throttled: the page is public and polled; an outage of Prometheus must not flood the log.
  private readonly prometheusFailed = new ThrottledWarning(StatusService.name, 60_000, (reason) => `status figures from the app's own counters, Prometheus failed: ${reason}`);
  private cached?: { at: number; report: Promise<SloReport> };

  constructor(
    private readonly database: DatabaseClient,
    private readonly cache: CacheService,
    private readonly incidents: IncidentsService,
    @Inject(SLO_SOURCE) private readonly slo: SloSource,
    private readonly fallback: ProcessSloSource,
  ) {}

  async report(now = new Date()): Promise<StatusReport> {
    const [database, cache, slo, incidents] = await Promise.all([
      probe(() => this.database.ping(), PING_TIMEOUT_MS),
      probe(() => this.cache.ping(), PING_TIMEOUT_MS),
      this.sloReport(now),
      this.incidents.publicList(now).catch(() => null),
    ]);
    const openOn = (id: StatusComponent) => incidents?.open.some((i) => i.component === id) ?? false;
    // A live check that fails is the truth now; an open incident means "working, but not well".
    const state = (id: StatusComponent, live: ComponentState): ComponentState => (live === 'operational' && openOn(id) ? 'degraded' : live);
    const components: StatusReport['components'] = [
      { id: 'api', status: state('api', 'operational') },
      { id: 'database', status: state('database', database) },
      { id: 'cache', status: state('cache', cache) },
    ];
    return { generatedAt: now.toISOString(), overall: overallOf(components), components, slo, incidents };
  }

  private sloReport(now: Date): Promise<SloReport> {
    if (this.cached && now.getTime() - this.cached.at < SLO_CACHE_MS) return this.cached.report;
    const report = this.slo.report(now).catch((err: unknown) => {
      this.prometheusFailed.report(err);
      return this.fallback.report(now);
    });
    this.cached = { at: now.getTime(), report };
    return report;
  }
}

function overallOf(components: StatusReport['components']): OverallState {
  // Without its database the directory serves nothing: that is an outage. A lost cache only slows it.
  if (components.some((c) => c.id !== 'cache' && c.status === 'down')) return 'major_outage';
  if (components.some((c) => c.status !== 'operational')) return 'degraded';
  return 'operational';
}
