import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { queryOnce, seedBusinesses } from '../helpers/test-database';
import { PgCluster, pgCluster, canRunPgCluster } from '../helpers/pg-cluster';
import { sleep } from './support/load-loop';

// Drill: PostgreSQL (a private cluster on a free port, never the machine's server) goes down
// under the running app, then comes back. The contract during the outage: readiness says 503
// within 5 s, the API answers 503 with a JSON error within 3 s (nothing hangs), liveness stays
// 200 and the process stays up; within 15 s of PostgreSQL's return it serves again, unrestarted.
interface Probe {
  status: number;
  ms: number;
  body: string;
  contentType: string;
}

async function probe(url: string, timeoutMs: number): Promise<Probe> {
  const started = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, ms: Date.now() - started, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  } catch (err) {
    return { status: 0, ms: Date.now() - started, body: String(err), contentType: '' };
  }
}

/** Polls until `accept` holds; returns the last probe and how long it took from `since`. */
async function pollUntil(url: string, accept: (p: Probe) => boolean, deadlineMs: number, since = Date.now()) {
  let last: Probe;
  do {
    last = await probe(url, 3000);
    if (accept(last)) return { probe: last, afterMs: Date.now() - since, ok: true };
    await sleep(100);
  } while (Date.now() - since < deadlineMs);
  return { probe: last, afterMs: Date.now() - since, ok: false };
}

if (!canRunPgCluster() && process.env.CI === 'true') throw new Error('the PostgreSQL drill needs root, a postgres user and initdb; CI=true forbids skipping');

describe.skipIf(!canRunPgCluster())('drill: PostgreSQL stopped and restarted', () => {
  let pg: PgCluster;
  let app: AppProcess;
  let databaseUrl: string;

  beforeAll(async () => {
    pg = await pgCluster();
    await queryOnce(pg.url, 'CREATE DATABASE drill');
    databaseUrl = pg.url.replace(/\/postgres$/, '/drill');
    seedBusinesses(databaseUrl, 300);
    // The in-memory cache: an outage shows on every query that is not cached already.
    // A 1.5 s statement timeout puts the client-side query timeout (hung server) at 2.5 s.
    app = await startApp({
      // A busy two-core machine (the whole suite at once) can take many seconds to boot the app.
      readyTimeoutMs: 60_000,
      env: { DATABASE_URL: databaseUrl, DATABASE_STATEMENT_TIMEOUT_MS: '1500', LOG_LEVEL: 'error' },
      readyPath: '/health/ready',
    });
  });
  afterAll(async () => {
    await app?.stop();
    pg?.destroy();
  });

  it('degrades to fast 503s, stays alive, and recovers by itself', async () => {
    const uncached = (n: number) => `${app.url}/api/businesses?q=martin%20${n}`;
    expect((await probe(uncached(0), 3000)).status).toBe(200);

    pg.stop();
    const stoppedAt = Date.now();

    const ready = await pollUntil(`${app.url}/health/ready`, (p) => p.status === 503, 5000, stoppedAt);
    // Several requests at once, each needing the database: none may hang past 3 s.
    const during = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => probe(uncached(n), 3000)));
    const detail = await probe(`${app.url}/api/businesses/00000000-0000-4000-8000-000000000000`, 3000);
    const live = await probe(`${app.url}/health/live`, 3000);
    await sleep(2000);
    const aliveDuringOutage = app.child.exitCode === null;

    pg.start();
    const restartedAt = Date.now();
    const back = await pollUntil(uncached(7), (p) => p.status === 200, 15_000, restartedAt);
    const readyAgain = await pollUntil(`${app.url}/health/ready`, (p) => p.status === 200, 15_000, restartedAt);

    const statuses = [...during, detail].map((p) => `${p.status}/${p.ms}ms`).join(' ');
    process.stdout.write(
      `postgres drill: /health/ready ${ready.probe.status} after ${ready.afterMs} ms; API during outage ${statuses}; ` +
        `/health/live ${live.status}; serving again ${back.afterMs} ms after restart (ready ${readyAgain.afterMs} ms)\n`,
    );

    expect(ready.ok, `/health/ready answered ${ready.probe.status}: ${ready.probe.body}`).toBe(true);
    for (const p of [...during, detail]) {
      expect(p.status, p.body).toBe(503);
      expect(p.contentType).toContain('application/json');
      expect(JSON.parse(p.body)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }
    expect(live.status).toBe(200);
    expect(aliveDuringOutage).toBe(true);
    expect(back.ok, `still ${back.probe.status} 15 s after PostgreSQL returned: ${back.probe.body}`).toBe(true);
    expect(readyAgain.ok).toBe(true);
    expect(app.child.exitCode).toBeNull();
  });

  it('answers 503 fast when PostgreSQL hangs instead of refusing, and recovers when it resumes', async () => {
    const uncached = (n: number) => `${app.url}/api/businesses?q=dubois%20${n}`;
    // Warm the pool: idle connections are the ones a frozen server leaves hanging.
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => probe(uncached(n), 3000)));

    pg.freeze(true);
    const frozenAt = Date.now();
    let during: Probe[];
    let ready: Probe;
    try {
      // More requests than pooled connections: some reuse a hung socket, some try to connect.
      during = await Promise.all(Array.from({ length: 12 }, (_, i) => probe(uncached(100 + i), 10_000)));
      ready = (await pollUntil(`${app.url}/health/ready`, (p) => p.status === 503, 5000, frozenAt)).probe;
    } finally {
      pg.freeze(false);
    }
    const back = await pollUntil(uncached(200), (p) => p.status === 200, 15_000);

    process.stdout.write(
      `postgres frozen: API ${during.map((p) => `${p.status}/${p.ms}ms`).join(' ')}; /health/ready ${ready.status}; ` +
        `serving again ${back.afterMs} ms after it resumed\n`,
    );
    for (const p of during) {
      expect(p.status, p.body).toBe(503);
      // Bounded by the client-side query timeout (2.5 s here), not left hanging: 5 s leaves room
      // for a busy machine without letting a hang pass.
      expect(p.ms).toBeLessThan(5000);
    }
    expect(ready.status).toBe(503);
    expect(back.ok).toBe(true);
    expect(app.child.exitCode).toBeNull();
  });
});
