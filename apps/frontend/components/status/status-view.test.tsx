import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusReport } from '../../lib/api';
import { StatusView } from './status-view';

const hour = (h: number) => new Date(Date.UTC(2026, 10, 25, h)).toISOString();
/** The 30 days up to the report's, oldest first. */
const day = (i: number) => new Date(Date.UTC(2026, 10, 25 - 29 + i)).toISOString();

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    generatedAt: hour(12),
    overall: 'degraded',
    components: [
      { id: 'api', status: 'degraded' },
      { id: 'database', status: 'operational' },
      { id: 'cache', status: 'down' },
    ],
    slo: {
      source: 'prometheus',
      since: null,
      objective: 0.999,
      availability: { '24h': 0.9996, '7d': 0.998, '30d': 0.9993 },
      errorBudgetRemaining: 0.3,
      latency: { p95Seconds: 0.25, thresholdSeconds: 0.2 },
      hourly: Array.from({ length: 24 }, (_, i) => ({ at: hour(i), availability: 1, p95Seconds: i === 5 ? null : i === 10 ? 0.3 : 0.05 })),
      daily: Array.from({ length: 30 }, (_, i) => ({ at: day(i), availability: i < 2 ? null : i === 29 ? 0.95 : 1 })),
    },
    incidents: {
      open: [
        {
          id: 'i1',
          title: 'Temps de réponse dégradé',
          severity: 'warning',
          component: 'api',
          status: 'firing',
          startedAt: hour(11),
          resolvedAt: null,
          timeline: [{ status: 'firing', at: hour(11) }],
        },
      ],
      past: [],
    },
    ...overrides,
  };
}

describe('StatusView', () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => vi.stubGlobal('fetch', fetchMock));
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    fetchMock.mockReset();
  });
  const serve = (body: unknown, status = 200) =>
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify(body), { status })));

  it('shows the banner, each component in words, the figures and the open incident', async () => {
    serve(report());
    render(<StatusView />);
    expect((await screen.findByText('Service perturbé')).closest('[role=status]')).toBeTruthy();
    const components = within(screen.getByRole('region', { name: 'Composants' }));
    expect(components.getByText('API et site web').parentElement?.textContent).toContain('Dégradé');
    expect(components.getByText('Cache').parentElement?.textContent).toContain('En panne');

    const slo = within(screen.getByRole('region', { name: 'Disponibilité et performance' }));
    expect(slo.getByText('99,96 %')).toBeTruthy();
    expect(slo.getByText('99,80 %')).toBeTruthy();
    expect(slo.getByRole('img', { name: "Budget d'erreurs restant : 30 %" })).toBeTruthy();
    expect(slo.getByText('— au-dessus du seuil')).toBeTruthy();
    expect(slo.getByRole('img', { name: 'Latence p95 heure par heure sur 24 h : 1 heure(s) au-dessus de 200 ms' })).toBeTruthy();
    expect(slo.getByRole('img', { name: "30 derniers jours : 27 jour(s) à l'objectif, 1 en dessous, 2 sans données" })).toBeTruthy();

    const open = within(screen.getByRole('region', { name: 'Incidents en cours' }));
    expect(open.getByRole('heading', { name: 'Temps de réponse dégradé' })).toBeTruthy();
    expect(open.getByRole('list', { name: 'Chronologie' }).textContent).toContain('Incident détecté');
    expect(screen.getByText('Aucun incident ces 90 derniers jours.')).toBeTruthy();
  });

  it("says the figures are the process's own, since when", async () => {
    serve(report({ slo: { ...report().slo, source: 'process', since: hour(8) } }));
    render(<StatusView />);
    expect((await screen.findByText(/Mesures depuis le/)).textContent).toMatch(/25 nov\. 2026/);
  });

  it('still shows the components when the incidents are unavailable', async () => {
    serve(report({ incidents: null, overall: 'major_outage' }));
    render(<StatusView />);
    await screen.findByText('Panne majeure en cours');
    expect(screen.getByText("L'historique des incidents est momentanément indisponible.")).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Incidents en cours' })).toBeNull();
  });

  it('says so when the status itself cannot be loaded', async () => {
    fetchMock.mockImplementation(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<StatusView />);
    expect((await screen.findByRole('alert')).textContent).toContain("L'état du service n'a pas pu être chargé");
    expect(screen.getByRole('button', { name: 'Réessayer' })).toBeTruthy();
  });
});
