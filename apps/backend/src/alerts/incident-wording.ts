import { createHash } from 'node:crypto';
import type { AlertmanagerAlert } from './dto/alertmanager-webhook.schema';

export type StatusComponent = 'api' | 'database' | 'cache';
export type IncidentSeverity = 'critical' | 'warning';

export interface IncidentFacts {
  fingerprint: string;
  alertName: string;
  severity: IncidentSeverity;
  component: StatusComponent;
  title: string;
}

const COMPONENTS: readonly StatusComponent[] = ['api', 'database', 'cache'];

const ERRORS = "Taux d'erreurs élevé";
const SLOW = 'Temps de réponse dégradé';
const UNAVAILABLE = 'Service indisponible';

/**
 * The alerts users notice, and how the page words them. A status page is curated: an old backup, a
 * full disk or a certificate expiring in three weeks are the team's business, not an outage, so an
 * alert missing here stays off the page unless its rule opts in with a `public_summary` annotation.
 * An alert's own summary is never shown: it is written for engineers and templated with labels
 * (instance, pod, host).
 */
const PUBLIC_ALERTS: Record<string, { component: StatusComponent; title: string }> = {
  HighErrorRate: { component: 'api', title: ERRORS },
  AvailabilitySLOBurnRate: { component: 'api', title: ERRORS },
  NginxHigh5xxRatio: { component: 'api', title: ERRORS },
  HighResponseTime: { component: 'api', title: SLOW },
  LatencySLOBurnRate: { component: 'api', title: SLOW },
  EndpointProbeFailed: { component: 'api', title: UNAVAILABLE },
  NginxDown: { component: 'api', title: UNAVAILABLE },
  BackendCrashLooping: { component: 'api', title: UNAVAILABLE },
  PostgresDown: { component: 'database', title: 'Base de données indisponible' },
  DatabaseConnectionsHigh: { component: 'database', title: 'Base de données saturée' },
  RedisDown: { component: 'cache', title: 'Cache indisponible : recherches ralenties' },
  RedisRejectedConnections: { component: 'cache', title: 'Cache saturé : recherches ralenties' },
};

const QUIET_SEVERITIES = new Set(['none', 'info']);

function componentOf(alert: AlertmanagerAlert, fallback: StatusComponent): StatusComponent {
  const label = alert.labels.component?.toLowerCase();
  return label && (COMPONENTS as readonly string[]).includes(label) ? (label as StatusComponent) : fallback;
}

/** Alertmanager always sends a fingerprint since 0.19; older senders get one from the labels. */
function fingerprintOf(alert: AlertmanagerAlert): string {
  if (alert.fingerprint) return alert.fingerprint.toLowerCase();
  const labels = Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** What the status page records for an alert, or null for alerts that are not public incidents. */
export function incidentFacts(alert: AlertmanagerAlert): IncidentFacts | null {
  const alertName = alert.labels.alertname ?? 'UnnamedAlert';
  const severity = alert.labels.severity?.toLowerCase() ?? 'warning';
  if (QUIET_SEVERITIES.has(severity)) return null;
  const known = PUBLIC_ALERTS[alertName];
  const opted = alert.annotations.public_summary?.trim();
  if (!known && !opted) return null;
  return {
    fingerprint: fingerprintOf(alert),
    alertName: alertName.slice(0, 200),
    severity: severity === 'critical' || severity === 'page' ? 'critical' : 'warning',
    component: componentOf(alert, known?.component ?? 'api'),
    title: opted ? opted.slice(0, 160) : known.title,
  };
}
