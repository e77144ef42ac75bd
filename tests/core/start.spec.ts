import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, BACKEND_MAIN, ROOT, startApp } from '../helpers/app-process';

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, [BACKEND_MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** The part of GET /api/businesses this file reads. */
type BusinessPage = { total: number; items: { city: string }[] };

describe('start-up', () => {
  it.each([
    [{ PORT: 'notaport' }, 'Invalid configuration: PORT="notaport"'],
    [{ NODE_ENV: 'production' }, 'Invalid configuration: DATABASE_URL=(unset): required when NODE_ENV=production'],
    [{ REDIS_URL: 'nope' }, 'Invalid configuration: REDIS_URL=(hidden)'],
  ])('refuses %j with one clear line and exit code 1', (env, line) => {
    const result = runMain(env);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toContain(line);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the embedded defaults (no DATABASE_URL, no REDIS_URL)', () => {
  let dataDir: string;
  let app: AppProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ecosyste-embedded-'));
    app = await startApp({ env: { DATA_DIR: dataDir, NODE_ENV: 'development', SERVE_FRONTEND: 'true' }, readyTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on PGlite with the same schema, seeded with 1,000 businesses on first start', async () => {
    const res = await fetch(`${app.url}/api/businesses?limit=5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as BusinessPage;
    expect(body.total).toBe(1000);
    expect(body.items).toHaveLength(5);
    const search = (await (await fetch(`${app.url}/api/businesses?q=boulangerie&city=lyon`)).json()) as BusinessPage;
    expect(search.total).toBeGreaterThan(0);
    for (const b of search.items) expect(b.city).toBe('Lyon');
  });

  it('serves the web UI at / next to the API', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('lang="fr"');
  });

  it('keeps its data across a restart and does not seed twice', async () => {
    await app.stop();
    app = await startApp({ env: { DATA_DIR: dataDir, NODE_ENV: 'development' }, readyTimeoutMs: 60_000 });
    const body = (await (await fetch(`${app.url}/api/businesses?limit=1`)).json()) as BusinessPage;
    expect(body.total).toBe(1000);
  });
});
