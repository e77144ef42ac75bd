import { describe, expect, it } from 'vitest';
import type { AlertmanagerAlert } from './dto/alertmanager-webhook.schema';
import { incidentFacts } from './incident-wording';

function alert(labels: Record<string, string>, annotations: Record<string, string> = {}): AlertmanagerAlert {
  return { status: 'firing', labels, annotations, startsAt: '2026-11-25T10:00:00Z', fingerprint: 'abc123' };
}

describe('incidentFacts', () => {
  it('never uses the engineers\' summary, which names hosts', () => {
    const facts = incidentFacts(alert({ alertname: 'HighErrorRate', severity: 'critical', instance: 'node-3:3001' }, { summary: 'Errors on node-3' }));
    expect(facts).toEqual({ fingerprint: 'abc123', alertName: 'HighErrorRate', severity: 'critical', component: 'api', title: "Taux d'erreurs élevé" });
  });

  it('shows an alert of its own choosing when the rule opts in with public_summary, on the labelled component', () => {
    const facts = incidentFacts(alert({ alertname: 'SearchIndexLag', severity: 'warning', component: 'cache' }, { public_summary: '  Recherches ralenties  ' }));
    expect(facts).toMatchObject({ component: 'cache', title: 'Recherches ralenties', severity: 'warning' });
  });

  it.each([
    ['HighResponseTime', 'api', 'Temps de réponse dégradé'],
    ['LatencySLOBurnRate', 'api', 'Temps de réponse dégradé'],
    ['AvailabilitySLOBurnRate', 'api', "Taux d'erreurs élevé"],
    ['EndpointProbeFailed', 'api', 'Service indisponible'],
    ['DatabaseConnectionsHigh', 'database', 'Base de données saturée'],
    ['PostgresDown', 'database', 'Base de données indisponible'],
    ['RedisDown', 'cache', 'Cache indisponible : recherches ralenties'],
  ])('words %s for the %s component', (alertname, component, title) => {
    expect(incidentFacts(alert({ alertname, severity: 'warning' }))).toMatchObject({ component, title });
  });

  it.each(['Watchdog', 'BackupTooOld', 'DiskAlmostFull', 'TLSCertificateExpiring', 'TargetDown', 'SomethingNew'])(
    'keeps the team-only alert %s off the public page',
    (alertname) => {
      expect(incidentFacts(alert({ alertname, severity: 'critical' }, { summary: 'x' }))).toBeNull();
    },
  );

  it('skips informational alerts even when known', () => {
    expect(incidentFacts(alert({ alertname: 'HighErrorRate', severity: 'info' }))).toBeNull();
  });

  it('derives a stable fingerprint from the labels when the sender gives none', () => {
    const a = { ...alert({ b: '2', alertname: 'RedisDown' }), fingerprint: undefined };
    const b = { ...alert({ alertname: 'RedisDown', b: '2' }), fingerprint: undefined };
    expect(incidentFacts(a)?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(incidentFacts(a)?.fingerprint).toBe(incidentFacts(b)?.fingerprint);
  });
});
