import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Edge, startEdge, TEST_SERVER_NAME } from '../edge/support/edge-nginx';
import { AppProcess, startApp } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { missing, REDIS_TEST_URL } from '../helpers/services';
import { createTestDatabase, seedBusinesses, TestDatabase } from '../helpers/test-database';
import { LoadLoop, loadLoop, Sample, sleep, tally } from './support/load-loop';

// Drills behind the project's own nginx (rendered from nginx/nginx.conf.template by the edge
// tests' helper): two replicas, steady HTTPS traffic, and one replica restarted or killed.
// nginx's proxy_next_upstream must hide both from clients: not one failed request.
const WORKERS = 12;
// The edge allows 10 requests/s per client address: each worker has its own and stays under it.
const SOURCES = Array.from({ length: WORKERS }, (_, i) => `127.0.0.${20 + i}`);
const PAUSE_MS = 150;

describe.skipIf((await missing('postgres')) || (await missing('redis')))('drills: two replicas behind nginx', () => {
  let database: TestDatabase;
  let webRoot: string;
  let env: Record<string, string>;
  let ports: number[];
  let replicas: AppProcess[];
  let edge: Edge;
  let load: LoadLoop | undefined;

  const replica = (port: number) => startApp({ env, port, readyPath: '/health/ready', readyTimeoutMs: 60_000 });
  /** Requests nginx logged as served by this replica (`ua=` is the upstream address it used last). */
  const servedBy = (port: number) => readFileSync(join(edge.dir, 'access.log'), 'utf8').split('\n').filter((l) => l.includes(`ua=127.0.0.1:${port}`) && / 200 /.test(l)).length;
  async function untilServing(port: number, timeoutMs: number): Promise<number> {
    const before = servedBy(port);
    const started = Date.now();
    while (servedBy(port) === before) {
      if (Date.now() - started > timeoutMs) throw new Error(`nginx sent nothing to 127.0.0.1:${port} within ${timeoutMs} ms`);
      await sleep(100);
    }
    return Date.now() - started;
  }
  const startLoad = () =>
    loadLoop({
      url: `https://127.0.0.1:${edge.httpsPort}`,
      tls: { ca: edge.ca, servername: TEST_SERVER_NAME },
      localAddresses: SOURCES,
      workers: WORKERS,
      pauseMs: PAUSE_MS,
      maxRequests: 20_000,
      path: (n) => (n % 3 === 0 ? `/api/businesses?page=${1 + (n % 5)}` : n % 3 === 1 ? `/api/businesses?q=martin%20${n}` : '/health/live'),
    });
  const report = (name: string, samples: Sample[], extra: string) => {
    const failed = samples.filter((s) => s.status !== 200);
    process.stdout.write(`${name}: ${samples.length} requests through nginx → ${tally(samples).line}; ${extra}\n`);
    for (const s of failed.slice(0, 5)) process.stdout.write(`  failed: ${s.status} ${s.path} at ${s.at} ms ${s.error ?? ''}\n`);
    return failed;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    seedBusinesses(database.url, 500);
    env = { DATABASE_URL: database.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `drill-edge-${database.name}:`, LOG_LEVEL: 'error' };
    webRoot = mkdtempSync(join(tmpdir(), 'ecosyste-drill-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!DOCTYPE html><title>drill</title>');
  });
  beforeEach(async () => {
    ports = [await freePort(), await freePort()];
    replicas = await Promise.all(ports.map(replica));
    edge = await startEdge({ backends: ports.map((p) => `127.0.0.1:${p}`), webRoot });
  });
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    await edge?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
  });
  afterAll(async () => {
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
    await database?.drop();
  });

  it('rolling restart of both replicas under load: 0 failed requests', { timeout: 180_000 }, async () => {
    load = startLoad();
    await sleep(1500);
    const waits: number[] = [];
    const steps: string[] = [];
    for (const i of [0, 1]) {
      // SIGTERM: the replica drains what it holds and exits; nginx sends the rest to the other.
      let t = Date.now();
      expect(await replicas[i].stop()).toBe(0);
      steps.push(`stop ${Date.now() - t} ms`);
      t = Date.now();
      replicas[i] = await replica(ports[i]);
      steps.push(`start ${Date.now() - t} ms`);
      // Restart the next one only once nginx has taken this one back (it benched it for
      // fail_timeout after the refused connections).
      waits.push(await untilServing(ports[i], 30_000));
    }
    await sleep(1000);
    const samples = await load.stop();
    const failed = report('rolling restart', samples, `${steps.join(', ')}; nginx took each replica back ${waits.join(' / ')} ms after it was ready`);
    expect(samples.length).toBeGreaterThan(100);
    expect(failed).toHaveLength(0);
  });

  it('kill -9 of one replica under load: 0 failed idempotent requests', { timeout: 180_000 }, async () => {
    load = startLoad();
    await sleep(1500);
    const beforeKill = load.samples.length;
    replicas[0].child.kill('SIGKILL');
    await sleep(3000);
    const afterKill = load.samples.length - beforeKill;
    // The survivor carried everything meanwhile; bring the dead one back as an orchestrator would.
    replicas[0] = await replica(ports[0]);
    const backMs = await untilServing(ports[0], 30_000);
    const samples = await load.stop();
    const log = edge.errorLog();
    const retried = (log.match(/while (connecting to|reading response header from) upstream/g) ?? []).length;
    const failed = report('kill -9', samples, `${afterKill} sent in the 3 s after the kill; nginx logged ${retried} upstream failures it retried; replica back in ${backMs} ms`);
    expect(afterKill).toBeGreaterThan(20);
    expect(failed).toHaveLength(0);
  });
});
