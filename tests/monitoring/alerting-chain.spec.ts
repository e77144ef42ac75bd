import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { missing, PG_ADMIN_URL, REDIS_TEST_URL } from '../helpers/services';
import { createTestDatabase, queryOnce, TestDatabase } from '../helpers/test-database';
import { dashboards, resolveVariables } from './support/monitoring-files';
import {
  Delivery,
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  ServiceProcess,
  spawnService,
  startReceiver,
  startSmtpSink,
} from './support/monitoring-stack';

/**
 * The whole alerting path for real: the built backend -> Prometheus (the project's scrape config,
 * bearer token and rule files) -> Alertmanager (the project's routes, receivers and templates) ->
 * PagerDuty, Slack, e-mail and the incident webhook, all received by this test on loopback.
 * Time runs 60x faster in the rendered configs (support/monitoring-stack.ts): 5m windows and
 * `for: 5m` become 5 s, the rest of each expression is the production one.
 */
describe.skipIf((await missing('postgres')) || (await missing('redis')))('alerting chain: app -> Prometheus -> Alertmanager -> receivers', () => {
  const metricsToken = randomBytes(16).toString('hex');
  const webhookToken = randomBytes(16).toString('hex');
  const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-chain-'));
  let db: TestDatabase;
  let app: AppProcess;
  let prometheus: ServiceProcess;
  let alertmanager: ServiceProcess;
  const exporters: ServiceProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let traffic: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('ecosyste_chain');
    [receiver, smtp] = await Promise.all([startReceiver(), startSmtpSink()]);
    app = await startApp({
      env: { DATABASE_URL: db.url, METRICS_TOKEN: metricsToken, CACHE_TTL_SECONDS: '1', SEED_ON_EMPTY: '30', APP_VERSION: '9.9.9-chain', LOG_LEVEL: 'fatal' },
    });

    const [promPort, amPort, pgExporterPort, redisExporterPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const admin = new URL(PG_ADMIN_URL);
    admin.searchParams.set('sslmode', 'disable');
    exporters.push(
      await spawnService('postgres-exporter', 'prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${pgExporterPort}`], pgExporterPort, '/metrics', {
        PATH: process.env.PATH,
        DATA_SOURCE_NAME: admin.toString(),
      }),
      await spawnService(
        'redis-exporter',
        'prometheus-redis-exporter',
        ['-redis.addr', REDIS_TEST_URL, '-web.listen-address', `127.0.0.1:${redisExporterPort}`],
        redisExporterPort,
        '/metrics',
      ),
    );

    const amDir = join(tmp, 'alertmanager');
    const amConfig = renderAlertmanagerConfig({
      dir: amDir,
      receiverUrl: receiver.url,
      smtpPort: smtp.port,
      secrets: {
        'slack-webhook-url': `${receiver.url}/slack`,
        'pagerduty-routing-key': 'chain-test-routing-key',
        'smtp-password': 'chain-test-password',
        'deadman-token': 'chain-test-deadman-token',
        'alert-webhook-token': webhookToken,
      },
    });
    // Nothing may leave the machine: every address in the rendered file is loopback.
    expect(readFileSync(amConfig, 'utf8')).not.toMatch(/pagerduty\.com|ecosyste\.com:|deadman\.ecosyste|backend:3001/);
    alertmanager = await spawnService(
      'alertmanager',
      'prometheus-alertmanager',
      [
        `--config.file=${amConfig}`,
        `--storage.path=${join(amDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      amPort,
      '/-/ready',
    );

    const promDir = mkdtempSync(join(tmp, 'prometheus-'));
    const tokenFile = join(promDir, 'metrics-token');
    writeFileSync(tokenFile, metricsToken);
    const promConfig = renderPrometheusConfig({
      dir: promDir,
      alertmanager: `127.0.0.1:${amPort}`,
      metricsTokenFile: tokenFile,
      targets: {
        'ecosyste-backend': `127.0.0.1:${app.port}`,
        postgres: `127.0.0.1:${pgExporterPort}`,
        redis: `127.0.0.1:${redisExporterPort}`,
        prometheus: `127.0.0.1:${promPort}`,
        alertmanager: `127.0.0.1:${amPort}`,
      },
    });
    prometheus = await spawnService(
      'prometheus',
      'prometheus',
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--rules.alert.resend-delay=1s',
        '--log.level=warn',
      ],
      promPort,
      '/-/ready',
    );
  });

  afterAll(async () => {
    await traffic?.stop();
    await Promise.all([prometheus?.stop(), alertmanager?.stop(), ...exporters.map((e) => e.stop()), app?.stop()]);
    await Promise.all([receiver?.close(), smtp?.close()]);
    if (db) {
      await queryOnce(PG_ADMIN_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await db.drop();
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }> {
    const res = await fetch(`${prometheus.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    return (await res.json()) as never;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}\nprometheus:\n${prometheus.output()}\nalertmanager:\n${alertmanager.output()}`);
  }

  /** A steady stream of requests: reads that miss the cache (a fresh `q` each time), 404s and 401s. */
  function startTraffic(): { stop(): Promise<void> } {
    let running = true;
    const loop = async () => {
      let i = 0;
      while (running) {
        i++;
        const paths = [`/api/businesses?limit=5&q=${randomBytes(4).toString('hex')}`, '/api/businesses?limit=1', '/api/nothing-here'];
        await Promise.all(paths.map((p) => fetch(app.url + p).then((r) => r.arrayBuffer()).catch(() => undefined)));
        if (i % 5 === 0) await fetch(`${app.url}/api/businesses`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const done = Promise.all([loop(), loop()]);
    return {
      stop: async () => {
        running = false;
        await done;
      },
    };
  }

  it('scrapes the backend with its bearer token, and the exporters', async () => {
    traffic = startTraffic();
    const targets = await until('every target up', async () => {
      const res = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
      };
      const active = res.data.activeTargets;
      return active.length === 5 && active.every((t) => t.health === 'up') ? active : undefined;
    });
    expect(targets.map((t) => t.labels.job).sort()).toEqual(['alertmanager', 'ecosyste-backend', 'postgres', 'redis', 'prometheus'].sort());
    const up = await query('up{job="ecosyste-backend"}');
    expect(up.data?.result[0].value[1]).toBe('1');
    // Without the token the same endpoint refuses: the scrape above really used it.
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
  });

  it('every dashboard query is valid PromQL, and the app, SLO, PostgreSQL and Redis panels have data', async () => {
    // Two evaluation rounds of the recording rules and enough samples for the 5s rates.
    await until('request series', async () => {
      const r = await query('sum(rate(http_requests_total{job="ecosyste-backend"}[5s])) > 0');
      const slo = await query('slo:error_budget_remaining:ratio30d');
      return r.data?.result.length && slo.data?.result.length ? true : undefined;
    });
    // Panels that can't have data here: nginx and the blackbox probe don't run on this machine,
    // and this Redis has no maxmemory (the gauge is empty by design then).
    const noDataHere = (d: string, expr: string) => d === 'ecosyste-nginx' || /redis_memory_max_bytes/.test(expr);
    let empty: { name: string; expr: string }[] = [];
    let checked = 0;
    for (const dashboard of dashboards()) {
      for (const target of dashboard.targets) {
        const expr = resolveVariables(target.expr, dashboard, '5s');
        const res = await query(expr);
        expect(res.status, `${dashboard.uid} / ${target.panel}: ${expr}\n${res.error}`).toBe('success');
        checked++;
        if (!noDataHere(dashboard.uid, expr) && !res.data?.result.length) empty.push({ name: `${dashboard.uid} / ${target.panel}`, expr });
      }
    }
    expect(checked).toBeGreaterThan(50);
    // Recording-rule groups are evaluated one after the other: a series may appear a second later.
    for (let round = 0; empty.length && round < 10; round++) {
      await new Promise((r) => setTimeout(r, 1000));
      const stillEmpty: typeof empty = [];
      for (const e of empty) if (!(await query(e.expr)).data?.result.length) stillEmpty.push(e);
      empty = stillEmpty;
    }
    expect(empty.map((e) => `${e.name}: ${e.expr}`), 'panels without data').toEqual([]);
    const version = await query('app_info{job="ecosyste-backend"}');
    expect(version.data?.result[0].metric.version).toBe('9.9.9-chain');
  });

  it("Alertmanager's inhibition keeps the critical twin and suppresses its warning, for the same instance only", async () => {
    // Sent straight to Alertmanager's API, as Prometheus would: EventLoopLagHigh at both
    // severities on instance a, and a lone warning on instance b.
    const twin = (severity: string, instance: string) => ({
      labels: { alertname: 'EventLoopLagHigh', severity, job: 'ecosyste-backend', instance },
      annotations: { summary: `chain test ${severity} ${instance}` },
      startsAt: new Date().toISOString(),
    });
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([twin('critical', 'a:3001'), twin('warning', 'a:3001'), twin('warning', 'b:3001')]),
    });
    expect(posted.status).toBe(200);
    const states = await until('the inhibition to apply', async () => {
      const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22EventLoopLagHigh%22`)).json()) as {
        labels: Record<string, string>;
        status: { state: string; inhibitedBy: string[] };
      }[];
      const byKey = Object.fromEntries(alerts.map((a) => [`${a.labels.severity}@${a.labels.instance}`, a.status]));
      return Object.keys(byKey).length === 3 && byKey['warning@a:3001'].state === 'suppressed' ? byKey : undefined;
    });
    expect(states['critical@a:3001'].state).toBe('active');
    expect(states['warning@a:3001'].inhibitedBy).toHaveLength(1);
    expect(states['warning@b:3001'].state).toBe('active');
  });

  it('a burst of 5xx fires HighErrorRate, Alertmanager delivers it to every critical receiver, then it resolves', async () => {
    const alertsFor = (path: string, status: 'firing' | 'resolved') =>
      receiver.deliveries.filter(
        (d: Delivery) =>
          d.path === path &&
          (d.body as { status: string; alerts: { labels: Record<string, string> }[] }).status === status &&
          (d.body as { alerts: { labels: Record<string, string> }[] }).alerts.some((a) => a.labels.alertname === 'HighErrorRate'),
      );
    expect(alertsFor('/incidents', 'firing')).toEqual([]);

    // A realistic failure: the database stops accepting connections (failover, maintenance mode).
    // Every read that misses the cache now fails: the backend answers 503 (or 500 for the
    // SQLSTATE it doesn't classify as an outage); both are 5xx to the rules.
    await queryOnce(PG_ADMIN_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    await queryOnce(PG_ADMIN_URL, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
    const failing = await fetch(`${app.url}/api/businesses?q=${randomBytes(4).toString('hex')}`);
    expect(failing.status).toBeGreaterThanOrEqual(500);

    const fired = await until('HighErrorRate delivered to the incident webhook', async () => alertsFor('/incidents', 'firing')[0], 40_000);
    const body = fired.body as { status: string; receiver: string; alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] };
    const alert = body.alerts.find((a) => a.labels.alertname === 'HighErrorRate')!;
    expect(body.receiver).toBe('ecosyste-incidents');
    expect(alert.labels).toMatchObject({ alertname: 'HighErrorRate', severity: 'critical', job: 'ecosyste-backend' });
    expect(alert.annotations.runbook_url).toBe('https://github.com/ecosyste/ecosyste/blob/main/docs/runbooks/HighErrorRate.md');
    expect(alert.annotations.description).toMatch(/^ecosyste-backend answers \d+\.\d\d 5xx responses per second/);
    // The webhook authenticated with the token read from its credentials file.
    expect(fired.headers.authorization).toBe(`Bearer ${webhookToken}`);

    // The same page reached PagerDuty, Slack and e-mail through the on-call receiver's templates.
    const page = await until('the PagerDuty event', async () =>
      receiver.deliveries.find((d) => d.path === '/pagerduty' && JSON.stringify(d.body).includes('HighErrorRate')),
    );
    expect(page.body).toMatchObject({ routing_key: 'chain-test-routing-key', event_action: 'trigger' });
    expect((page.body as { payload: { summary: string } }).payload.summary).toMatch(/^\[FIRING:\d+\] HighErrorRate on ecosyste-backend \(critical\)/);
    const slack = await until('the Slack message', async () =>
      receiver.deliveries.find((d) => d.path === '/slack' && JSON.stringify(d.body).includes('HighErrorRate')),
    );
    const attachment = (slack.body as { channel: string; attachments: { title: string; title_link: string; text: string }[] }).attachments[0];
    expect((slack.body as { channel: string }).channel).toBe('#ecosyste-incidents');
    expect(attachment.title_link).toBe('https://github.com/ecosyste/ecosyste/blob/main/docs/runbooks/HighErrorRate.md');
    expect(attachment.text).toContain('Runbook: https://github.com/ecosyste/ecosyste/blob/main/docs/runbooks/HighErrorRate.md');
    const mail = await until('the e-mail', async () => smtp.messages.find((m) => m.includes('HighErrorRate')));
    expect(mail).toMatch(/^To: oncall@ecosyste\.com/m);
    expect(mail).toMatch(/^Subject: \[FIRING:\d+\] HighErrorRate on ecosyste-backend/m);

    // The same outage burns the availability error budget at far more than 14.4x: the SLO page fires too.
    const burn = await until('AvailabilitySLOBurnRate delivered', async () =>
      receiver.deliveries.find(
        (d) => d.path === '/incidents' && (d.body as { alerts: { labels: Record<string, string> }[] }).alerts.some((a) => a.labels.alertname === 'AvailabilitySLOBurnRate'),
      ),
    );
    expect((burn.body as { alerts: { labels: Record<string, string> }[] }).alerts.find((a) => a.labels.alertname === 'AvailabilitySLOBurnRate')!.labels).toMatchObject({
      severity: 'critical',
      slo: 'availability',
      job: 'ecosyste-backend',
    });

    // The Watchdog went to the dead-man's switch (with its own bearer token), and to nobody else.
    const ping = receiver.deliveries.find((d) => d.path === '/deadman' && JSON.stringify(d.body).includes('Watchdog'));
    expect(ping?.headers.authorization).toBe('Bearer chain-test-deadman-token');
    expect(receiver.deliveries.some((d) => d.path !== '/deadman' && JSON.stringify(d.body).includes('"Watchdog"'))).toBe(false);

    // The database comes back: the errors stop, the alert resolves and the resolution is sent.
    await queryOnce(PG_ADMIN_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    await until('the backend answering 200 again', async () =>
      (await fetch(`${app.url}/api/businesses?q=${randomBytes(4).toString('hex')}`)).status === 200 ? true : undefined,
    );
    const resolved = await until('HighErrorRate resolved at the incident webhook', async () => alertsFor('/incidents', 'resolved')[0], 40_000);
    expect((resolved.body as { alerts: { status: string }[] }).alerts.every((a) => a.status === 'resolved')).toBe(true);
    const alerts = await query('ALERTS{alertname="HighErrorRate", alertstate="firing"}');
    expect(alerts.data?.result).toEqual([]);
  });
});
