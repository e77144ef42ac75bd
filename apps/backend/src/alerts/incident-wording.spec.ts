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

  it('uses a public_summary when the rule opts in, and the component label when given', () => {
    const facts = incidentFacts(alert({ alertname: 'X', severity: 'warning', component: 'cache' }, { public_summary: '  Recherches ralenties  ' }));
    expect(facts).toMatchObject({ component: 'cache', title: 'Recherches ralenties' });
  });

  it.each([
    ['HighResponseTime', 'api', 'Temps de réponse dégradé'],
    ['DatabaseConnectionsHigh', 'database', 'Perturbation de la base de données'],
    ['PostgresDown', 'database', 'Perturbation de la base de données'],
    ['RedisDown', 'cache', 'Perturbation du cache'],
    ['BackendTargetDown', 'api', 'Service indisponible'],
    ['SomethingNew', 'api', "Perturbation de l'API"],
  ])('words %s for the %s component', (alertname, component, title) => {
    expect(incidentFacts(alert({ alertname, severity: 'warning' }))).toMatchObject({ component, title });
  });

  it('skips the dead-man switch and informational alerts', () => {
    expect(incidentFacts(alert({ alertname: 'Watchdog', severity: 'none' }))).toBeNull();
    expect(incidentFacts(alert({ alertname: 'Whatever', severity: 'info' }))).toBeNull();
  });

  it('derives a stable fingerprint from the labels when the sender gives none', () => {
    const a = { ...alert({ b: '2', alertname: 'A' }), fingerprint: undefined };
    const b = { ...alert({ alertname: 'A', b: '2' }), fingerprint: undefined };
    expect(incidentFacts(a)?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(incidentFacts(a)?.fingerprint).toBe(incidentFacts(b)?.fingerprint);
  });
});
