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

// Alerts that exist for the monitoring itself, not for users: a dead-man's switch always fires.
const NOT_INCIDENTS = new Set(['Watchdog', 'InfoInhibitor']);
const QUIET_SEVERITIES = new Set(['none', 'info']);

// What users read. An alert's own summary/description is written for engineers and is templated
// with labels (instance, pod, host), so the page never shows it: either the rule opts in with a
// `public_summary` annotation, or one of these phrasings is used.
const TITLES: Array<[RegExp, string]> = [
  [/latency|responsetime|slow/i, 'Temps de réponse dégradé'],
  [/error|5xx|availability|burn/i, "Taux d'erreurs élevé"],
  [/down|unavailable|absent|crash|restart/i, 'Service indisponible'],
];
const COMPONENT_TITLES: Record<StatusComponent, string> = {
  api: "Perturbation de l'API",
  database: 'Perturbation de la base de données',
  cache: 'Perturbation du cache',
};

function componentOf(alert: AlertmanagerAlert): StatusComponent {
  const label = alert.labels.component?.toLowerCase();
  if (label && (COMPONENTS as readonly string[]).includes(label)) return label as StatusComponent;
  const name = alert.labels.alertname ?? '';
  if (/postgres|database|\bpg/i.test(name)) return 'database';
  if (/redis|cache/i.test(name)) return 'cache';
  return 'api';
}

function titleOf(alert: AlertmanagerAlert, component: StatusComponent): string {
  const opted = alert.annotations.public_summary?.trim();
  if (opted) return opted.slice(0, 160);
  const name = alert.labels.alertname ?? '';
  if (component === 'api') {
    const match = TITLES.find(([pattern]) => pattern.test(name));
    if (match) return match[1];
  }
  return COMPONENT_TITLES[component];
}

/** Alertmanager always sends a fingerprint since 0.19; older senders get one from the labels. */
function fingerprintOf(alert: AlertmanagerAlert): string {
  if (alert.fingerprint) return alert.fingerprint.toLowerCase();
  const labels = Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** What the status page records for an alert, or null for alerts that are not incidents. */
export function incidentFacts(alert: AlertmanagerAlert): IncidentFacts | null {
  const alertName = alert.labels.alertname ?? 'UnnamedAlert';
  const severity = alert.labels.severity?.toLowerCase() ?? 'warning';
  if (NOT_INCIDENTS.has(alertName) || QUIET_SEVERITIES.has(severity)) return null;
  const component = componentOf(alert);
  return {
    fingerprint: fingerprintOf(alert),
    alertName: alertName.slice(0, 200),
    severity: severity === 'critical' || severity === 'page' ? 'critical' : 'warning',
    component,
    title: titleOf(alert, component),
  };
}
