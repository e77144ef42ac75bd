import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config.loader';
import { createTestApp, TestApp } from './support/test-app';

const TOKEN = 'alert-webhook-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface AlertInput {
  status?: 'firing' | 'resolved';
  alertname?: string;
  severity?: string;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

function payload(alerts: AlertInput[]) {
  return {
    version: '4',
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'status-page',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: a.alertname ?? 'HighErrorRate', severity: a.severity ?? 'critical', instance: 'backend-1:3001' },
      annotations: { summary: 'High error rate on backend-1' },
      // Alertmanager's own format: nanoseconds.
      startsAt: a.startsAt ?? '2026-11-25T10:00:00.123456789Z',
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: a.fingerprint ?? 'f00dcafe12345678',
    })),
  };
}

/** The webhook and the incidents the status page lists, on any app. */
function webhookClient(app: () => NestFastifyApplication) {
  return {
    post: (body: unknown, headers: Record<string, string> = AUTH) =>
      app().inject({ method: 'POST', url: '/api/alerts/webhook', headers, payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    incidents: async () => (await app().inject({ url: '/api/status' })).json().incidents,
  };
}

describe.skipIf(await missing('postgres'))('POST /api/alerts/webhook on PostgreSQL', () => {
  let t: TestApp;
  const client = webhookClient(() => t.app);

  beforeAll(async () => {
    t = await createTestApp({ env: { ALERT_WEBHOOK_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a missing or wrong token', async () => {
    const none = await client.post(payload([{}]), { 'content-type': 'application/json' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const wrong = await client.post(payload([{}]), { authorization: 'Bearer wrong-token-0123456789', 'content-type': 'application/json' });
    expect(wrong.statusCode).toBe(401);
    // The admin token is not the webhook's.
    expect((await client.post(payload([{}]), { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' })).statusCode).toBe(401);
  });

  it.each([
    ['broken JSON', '{"version":', 400],
    ['an array', [], 400],
    ['another payload version', { ...payload([{}]), version: '3' }, 400],
    ['a bad start time', payload([{ startsAt: 'yesterday' }]), 400],
    ['an unknown alert status', payload([{ status: 'pending' as 'firing' }]), 400],
    ['a fingerprint that is not hex', payload([{ fingerprint: 'x; drop table' }]), 400],
  ])('answers %s with a JSON 400 that names the field', async (_name, body, status) => {
    const res = await client.post(body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('accepts fields Alertmanager may add in later versions, and counts team-only alerts as ignored', async () => {
    const body = payload([
      { fingerprint: '0000000000000001', alertname: 'Watchdog', severity: 'none' },
      { fingerprint: '0000000000000002', alertname: 'BackupTooOld', severity: 'critical' },
    ]);
    const res = await client.post({ ...body, newField: { a: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: 2, opened: 0, resolved: 0, ignored: 2 });
    expect((await client.incidents()).open).toEqual([]);
  });

  it('opens an incident once however often Alertmanager repeats it, then resolves it', async () => {
    const firing = payload([{}]);
    expect((await client.post(firing)).json()).toEqual({ received: 1, opened: 1, resolved: 0, ignored: 0 });
    // Repeat interval, and an HA pair delivering the same notification at the same moment.
    const again = await Promise.all([client.post(firing), client.post(firing), client.post(firing)]);
    expect(again.map((r) => r.json().opened)).toEqual([0, 0, 0]);

    let incidents = await client.incidents();
    expect(incidents.open).toHaveLength(1);
    expect(incidents.open[0]).toMatchObject({
      title: "Taux d'erreurs élevé",
      severity: 'critical',
      component: 'api',
      status: 'firing',
      startedAt: '2026-11-25T10:00:00.123Z',
      resolvedAt: null,
      timeline: [{ status: 'firing', at: '2026-11-25T10:00:00.123Z' }],
    });

    const resolved = payload([{ status: 'resolved', endsAt: '2026-11-25T10:20:00Z' }]);
    expect((await client.post(resolved)).json()).toMatchObject({ opened: 0, resolved: 1 });
    expect((await client.post(resolved)).json()).toMatchObject({ opened: 0, resolved: 0 });
    // A late duplicate of the firing notification doesn't reopen it.
    expect((await client.post(firing)).json()).toMatchObject({ opened: 0 });

    incidents = await client.incidents();
    expect(incidents.open).toEqual([]);
    expect(incidents.past[0]).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-11-25T10:20:00.000Z',
      timeline: [
        { status: 'firing', at: '2026-11-25T10:00:00.123Z' },
        { status: 'resolved', at: '2026-11-25T10:20:00.000Z' },
      ],
    });
  });

  it('treats a new start of the same alert as a new incident', async () => {
    const res = await client.post(payload([{ startsAt: '2026-11-25T11:00:00Z' }]));
    expect(res.json()).toMatchObject({ opened: 1 });
    const incidents = await client.incidents();
    expect(incidents.open.map((i: { startedAt: string }) => i.startedAt)).toEqual(['2026-11-25T11:00:00.000Z']);
  });

  it('records a resolution it never saw fire, with both ends of its timeline', async () => {
    const res = await client.post(
      payload([{ status: 'resolved', fingerprint: 'abcdef0000000002', alertname: 'RedisDown', severity: 'warning', startsAt: '2026-11-25T09:00:00Z', endsAt: '2026-11-25T09:05:00Z' }]),
    );
    expect(res.json()).toEqual({ received: 1, opened: 1, resolved: 1, ignored: 0 });
    const incident = (await client.incidents()).past.find((i: { component: string }) => i.component === 'cache');
    expect(incident).toMatchObject({ title: 'Cache indisponible : recherches ralenties', severity: 'warning' });
    expect(incident.timeline.map((e: { status: string }) => e.status)).toEqual(['firing', 'resolved']);
  });

  it('shows nothing from the alert but its public wording', async () => {
    const body = (await t.app.inject({ url: '/api/status' })).body;
    expect(body).not.toMatch(/backend-1|HighErrorRate|RedisDown|f00dcafe|prometheus|alertmanager/i);
  });
});

describe.skipIf(await missing('postgres'))('the webhook is off without ALERT_WEBHOOK_TOKEN', () => {
  it('answers 403 saying why', async () => {
    const t = await createTestApp();
    try {
      const res = await webhookClient(() => t.app).post(payload([{}]));
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toContain('ALERT_WEBHOOK_TOKEN');
    } finally {
      await t.close();
    }
  });
});

describe('incidents on the embedded database (PGlite)', () => {
  let app: NestFastifyApplication;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ecosyste-alerts-pglite-'));
    app = await createApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SEED_ON_EMPTY: '0', ALERT_WEBHOOK_TOKEN: TOKEN }), { logger: false });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies the incidents migration and records, deduplicates and resolves there too', async () => {
    const client = webhookClient(() => app);
    expect((await client.post(payload([{}]))).json()).toMatchObject({ opened: 1 });
    expect((await client.post(payload([{}]))).json()).toMatchObject({ opened: 0 });
    expect((await client.post(payload([{ status: 'resolved', endsAt: '2026-11-25T10:01:00Z' }]))).json()).toMatchObject({ resolved: 1 });
    const incidents = await client.incidents();
    expect(incidents.open).toEqual([]);
    expect(incidents.past).toHaveLength(1);
    expect(incidents.past[0].timeline).toHaveLength(2);
  });
});
