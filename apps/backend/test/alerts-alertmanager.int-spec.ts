import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/free-port';
import { answers200, ReadyProcess, spawnReady } from '../../../tests/helpers/ready-process';
import { missing } from '../../../tests/helpers/services';
import { createTestApp, TestApp } from './support/test-app';

const ALERTMANAGER = 'prometheus-alertmanager';
const TOKEN = 'alertmanager-to-app-token-0123';

function installed(): boolean {
  if (spawnSync(ALERTMANAGER, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${ALERTMANAGER} is missing, and CI=true forbids skipping`);
  process.stderr.write(`skipping: ${ALERTMANAGER} is not installed (Debian package prometheus-alertmanager)\n`);
  return false;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The real sender: Alertmanager delivers to the webhook with its own bearer token, in its own
// payload format, and sends the resolution when the alert ends.
describe.skipIf((await missing('postgres')) || !installed())('Alertmanager delivering to POST /api/alerts/webhook', () => {
  let t: TestApp;
  let dir: string;
  let alertmanager: ReadyProcess | undefined;
  let amUrl: string;

  const incidents = async () => (await t.app.inject({ url: '/api/status' })).json().incidents;
  const postAlert = (endsAt?: string) =>
    fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'HighResponseTime', severity: 'warning', instance: 'backend-2:3001' },
          annotations: { summary: 'p95 above 2s on backend-2' },
          ...(endsAt ? { endsAt } : {}),
        },
      ]),
    });

  beforeAll(async () => {
    t = await createTestApp({ env: { ALERT_WEBHOOK_TOKEN: TOKEN } });
    const appPort = await freePort();
    await t.app.listen({ port: appPort, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'ecosyste-am-'));
    writeFileSync(join(dir, 'token'), TOKEN);
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: status-page',
        "  group_by: ['alertname']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: status-page',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${appPort}/api/alerts/webhook`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials_file: ${join(dir, 'token')}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = await spawnReady(
      ALERTMANAGER,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { ready: answers200(`${amUrl}/-/ready`), intervalMs: 200, stopSignal: 'SIGKILL' },
    );
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records the firing alert as an open incident, then its resolution', async () => {
    expect((await postAlert()).status).toBe(200);
    const open = await until('the open incident', async () => {
      const list = await incidents();
      return list.open.length ? list.open : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${alertmanager!.output()}`);
    });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ title: 'Temps de réponse dégradé', severity: 'warning', component: 'api', status: 'firing' });

    expect((await postAlert(new Date().toISOString())).status).toBe(200);
    const past = await until('the resolution', async () => {
      const list = await incidents();
      return list.past.length ? list.past : undefined;
    });
    expect((await incidents()).open).toEqual([]);
    expect(past[0].timeline.map((e: { status: string }) => e.status)).toEqual(['firing', 'resolved']);
    expect(JSON.stringify(past)).not.toContain('backend-2');
  });
});
