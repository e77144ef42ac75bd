import { Injectable } from '@nestjs/common';
import { Incident, IncidentEvent } from '../database/schema';
import type { AlertmanagerAlert, AlertmanagerWebhook } from './dto/alertmanager-webhook.schema';
import { IncidentRepository } from './incident.repository';
import { incidentFacts, IncidentSeverity, StatusComponent } from './incident-wording';

export interface WebhookOutcome {
  received: number;
  opened: number;
  resolved: number;
  ignored: number;
}

export interface PublicIncident {
  id: string;
  title: string;
  severity: IncidentSeverity;
  component: StatusComponent;
  status: 'firing' | 'resolved';
  startedAt: string;
  resolvedAt: string | null;
  timeline: Array<{ status: 'firing' | 'resolved'; at: string }>;
}

/** How far back the page lists resolved incidents, and how many of each list it shows. */
const PAST_DAYS = 90;
const LIST_LIMIT = 20;

/** Alertmanager's zero time, sent as endsAt while an alert has no known end. */
const ZERO_TIME = Date.UTC(1, 0, 1);

@Injectable()
export class IncidentsService {
  constructor(private readonly repository: IncidentRepository) {}

  /**
   * Applies one notification. Idempotent: Alertmanager repeats firing alerts every repeat_interval
   * and an HA pair sends everything twice, so only a change of state adds to the timeline.
   */
  async record(payload: AlertmanagerWebhook): Promise<WebhookOutcome> {
    const outcome: WebhookOutcome = { received: payload.alerts.length, opened: 0, resolved: 0, ignored: 0 };
    for (const alert of payload.alerts) {
      const facts = incidentFacts(alert);
      if (!facts) {
        outcome.ignored++;
        continue;
      }
      const startedAt = new Date(alert.startsAt);
      // Opening first also covers a "resolved" for an occurrence we never saw fire (webhook down then).
      if (await this.repository.open({ ...facts, startedAt })) outcome.opened++;
      if (alert.status === 'resolved' && (await this.repository.resolve(facts.fingerprint, startedAt, resolvedAt(alert, startedAt)))) {
        outcome.resolved++;
      }
    }
    return outcome;
  }

  async publicList(now = new Date()): Promise<{ open: PublicIncident[]; past: PublicIncident[] }> {
    const since = new Date(now.getTime() - PAST_DAYS * 86_400_000);
    const [open, past] = await Promise.all([this.repository.listOpen(LIST_LIMIT), this.repository.listResolvedSince(since, LIST_LIMIT)]);
    const events = await this.repository.eventsOf([...open, ...past].map((i) => i.id));
    return { open: open.map((i) => toPublic(i, events)), past: past.map((i) => toPublic(i, events)) };
  }
}

function resolvedAt(alert: AlertmanagerAlert, startedAt: Date): Date {
  const end = alert.endsAt ? Date.parse(alert.endsAt) : NaN;
  if (Number.isNaN(end) || end <= ZERO_TIME || end < startedAt.getTime()) return new Date();
  return new Date(end);
}

// Only what the page shows leaves the server: no fingerprint, no alert name, no labels.
function toPublic(incident: Incident, events: IncidentEvent[]): PublicIncident {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity as IncidentSeverity,
    component: incident.component as StatusComponent,
    status: incident.status as PublicIncident['status'],
    startedAt: incident.startedAt.toISOString(),
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    timeline: events
      .filter((e) => e.incidentId === incident.id)
      .map((e) => ({ status: e.status as PublicIncident['status'], at: e.at.toISOString() })),
  };
}
