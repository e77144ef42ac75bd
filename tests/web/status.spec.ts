import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../helpers/services';
import { accessibilityViolations, chromiumMissing, launchBrowser, screenshot, watchedPage, WatchedPage } from './support/browser';
import { startWebApp, WEBHOOK_TOKEN, WebApp } from './support/web-app';

// What Alertmanager sends: labels and annotations full of internals the page must not show.
function notification(status: 'firing' | 'resolved', endsAt = '0001-01-01T00:00:00Z') {
  return {
    version: '4',
    status,
    receiver: 'status-page',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    externalURL: 'http://alertmanager.internal:9093',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    alerts: [
      {
        status,
        labels: { alertname: 'HighErrorRate', severity: 'critical', instance: 'backend-7f9c.internal:3001', job: 'ecosyste-backend' },
        annotations: { summary: 'High error rate on backend-7f9c.internal', description: 'rate(http_requests_total{status=~"5.."}[5m]) = 0.4' },
        startsAt: new Date(Date.now() - 10 * 60_000).toISOString(),
        endsAt,
        generatorURL: 'http://prometheus.internal:9090/graph?g0.expr=rate',
        fingerprint: '3f2a9c0d1e4b5a6f',
      },
    ],
  };
}

const INTERNALS = /backend-7f9c|\.internal|http_requests_total|prometheus|alertmanager|HighErrorRate/i;

describe.skipIf((await missing('postgres')) || chromiumMissing())('the status page in Chromium', () => {
  let web: WebApp;
  let browser: Browser;
  let w: WatchedPage;
  let startsAt: string;

  const post = async (body: unknown) => {
    const res = await fetch(`${web.app.url}/api/alerts/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    // Some traffic, so the in-process figures have something to show.
    await web.createBusiness({ name: 'Librairie du Marché', category: 'librairie', city: 'Lyon' });
    for (let i = 0; i < 10; i++) await fetch(`${web.app.url}/api/businesses?page=${i + 1}`);
    w = await watchedPage(browser);
  });

  afterAll(async () => {
    await w?.context.close();
    await browser?.close();
    await web?.stop();
  });

  it('shows every component operational, the figures against the objectives, and no incident', async () => {
    await w.page.goto(`${web.app.url}/status/`);
    await w.page.getByText('Tous les services fonctionnent normalement').waitFor();
    const components = w.page.getByRole('region', { name: 'Composants' });
    for (const name of ['API et site web', 'Base de données', 'Cache']) {
      expect(await components.getByRole('listitem').filter({ hasText: name }).innerText()).toContain('Opérationnel');
    }
    expect(await w.page.getByText('Aucun incident en cours.').count()).toBe(1);
    const slo = w.page.getByRole('region', { name: 'Disponibilité et performance' });
    expect(await slo.innerText()).toContain('Objectif : 99,9 %');
    // 11 successful API requests, none failed.
    expect(await slo.locator('.tile').first().innerText()).toContain('100,00 %');
    expect(await slo.getByRole('img', { name: /Disponibilité sur 24 heures : 100,00 %/ }).count()).toBe(1);
    expect(await slo.getByRole('img', { name: /Budget d'erreurs restant : 100 %/ }).count()).toBe(1);
    // Whether this busy machine answered under 200 ms is not the point: the chart must say one or the other.
    expect(await slo.getByRole('img', { name: /Latence p95 heure par heure sur 24 h : (toujours sous|\d+ heure\(s\) au-dessus de) 200 ms/ }).count()).toBe(1);
    expect(await slo.getByRole('img', { name: /30 derniers jours : 1 jour\(s\) à l'objectif/ }).count()).toBe(1);
    expect(await accessibilityViolations(w.page)).toEqual([]);
    await screenshot(w.page, 'status-operational');
  });

  it('shows an incident posted by Alertmanager as open, with its timeline, and nothing internal', async () => {
    const fired = notification('firing');
    startsAt = fired.alerts[0].startsAt;
    expect(await post(fired)).toEqual({ received: 1, opened: 1, resolved: 0, ignored: 0 });
    // Alertmanager repeats itself; the page must not list the incident twice.
    expect(await post(fired)).toMatchObject({ opened: 0 });

    await w.page.reload();
    await w.page.getByText('Service perturbé').waitFor();
    const open = w.page.getByRole('region', { name: 'Incidents en cours' });
    await open.getByRole('heading', { name: "Taux d'erreurs élevé" }).waitFor();
    expect(await open.getByRole('listitem').filter({ hasText: "Taux d'erreurs élevé" }).count()).toBe(1);
    expect(await open.innerText()).toMatch(/Critique · en cours/);
    expect(await open.getByRole('list', { name: 'Chronologie' }).innerText()).toContain('Incident détecté');
    const api = w.page.getByRole('region', { name: 'Composants' }).getByRole('listitem').filter({ hasText: 'API et site web' });
    expect(await api.innerText()).toContain('Dégradé');

    expect(await w.page.locator('body').innerText()).not.toMatch(INTERNALS);
    expect(await (await fetch(`${web.app.url}/api/status`)).text()).not.toMatch(INTERNALS);
    expect(await accessibilityViolations(w.page)).toEqual([]);
    await screenshot(w.page, 'status-incident-open');
  });

  it('moves the incident to the past ones once Alertmanager resolves it', async () => {
    const resolvedAt = new Date().toISOString();
    const resolved = notification('resolved', resolvedAt);
    resolved.alerts[0].startsAt = startsAt;
    expect(await post(resolved)).toMatchObject({ resolved: 1 });

    await w.page.reload();
    await w.page.getByText('Tous les services fonctionnent normalement').waitFor();
    expect(await w.page.getByText('Aucun incident en cours.').count()).toBe(1);
    const past = w.page.getByRole('region', { name: 'Incidents passés (90 jours)' });
    const incident = past.getByRole('listitem').filter({ hasText: "Taux d'erreurs élevé" });
    expect(await incident.innerText()).toMatch(/durée 10 min/);
    const timeline = await incident.getByRole('list', { name: 'Chronologie' }).getByRole('listitem').allInnerTexts();
    expect(timeline).toHaveLength(2);
    expect(timeline[0]).toContain('Incident détecté');
    expect(timeline[1]).toContain('Incident résolu');
    await screenshot(w.page, 'status-incident-resolved');
  });

  it('fits a phone screen', async () => {
    const phone = await watchedPage(browser, { width: 360, height: 740 });
    try {
      await phone.page.goto(`${web.app.url}/status`);
      await phone.page.getByRole('heading', { level: 1, name: 'État du service' }).waitFor();
      await phone.page.getByText('Tous les services fonctionnent normalement').waitFor();
      expect(await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
      await screenshot(phone.page, 'status-phone');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(w.problems).toEqual([]);
  });
});
