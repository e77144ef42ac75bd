import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from './helpers/app-process';
import { missing, REDIS_TEST_URL } from './helpers/services';
import { createTestDatabase, seedBusinesses, TestDatabase } from './helpers/test-database';

// The seed's two performance scenarios, kept as a functional smoke with small counts: every
// request must succeed with a well-formed page. Their timings are measured by `npm run bench`
// (docs/PERFORMANCE.md), never asserted here, where a busy machine would make them flake.
const SEEDED = 300;
const CONCURRENT = 200;
const SEQUENTIAL = 20;

interface Page {
  items: { id: string; name: string }[];
  page: number;
  limit: number;
  total: number;
}

/** One GET on its own connection (as the seed's supertest calls were), resolving status and body. */
function get(url: string, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout on ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Queries the app sent to PostgreSQL so far, from its own /metrics. */
async function selectCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^db_query_duration_seconds_count\{operation="select"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe.skipIf((await missing('postgres')) || (await missing('redis')))('tests/performance.spec.ts: the seed scenarios', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    seedBusinesses(database.url, SEEDED);
    app = await startApp({
      // A busy two-core machine (the whole suite at once) can take many seconds to boot the app.
      readyTimeoutMs: 60_000,
      env: { DATABASE_URL: database.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `perf-${database.name}:`, LOG_LEVEL: 'silent' },
      readyPath: '/api/businesses?limit=1',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it(`answers ${CONCURRENT} concurrent GET /api/businesses on a cold cache with one database load`, async () => {
    const selectsBefore = await selectCount(app.url);
    const results = await Promise.all(Array.from({ length: CONCURRENT }, () => get(`${app.url}/api/businesses`, false)));
    const selects = (await selectCount(app.url)) - selectsBefore;
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    process.stdout.write(`performance smoke: ${CONCURRENT} concurrent → ${JSON.stringify(Object.fromEntries(statuses))}, ${selects} SELECTs\n`);

    expect(Object.fromEntries(statuses)).toEqual({ 200: CONCURRENT });
    const bodies = new Set(results.map((r) => r.body));
    // Cached or not, every client sees the same page: no torn or mixed responses.
    expect(bodies.size).toBe(1);
    const page = JSON.parse(results[0].body) as Page;
    expect(page).toMatchObject({ page: 1, limit: 20, total: SEEDED });
    expect(page.items).toHaveLength(20);
    // Identical misses share one load (the page and its count: two SELECTs per wave of arrivals), instead of queueing
    // hundreds of queries on the pool until they time out (what the bench found before).
    expect(selects).toBeLessThanOrEqual(10);
  });

  it(`answers ${SEQUENTIAL} sequential requests on one keep-alive connection`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pages: Page[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        // Alternate pages so half the requests are answered from the cache and half are not.
        const r = await get(`${app.url}/api/businesses?page=${(i % 2) + 1}`, agent);
        expect(r.status).toBe(200);
        pages.push(JSON.parse(r.body) as Page);
      }
      process.stdout.write(`performance smoke: ${SEQUENTIAL} sequential → ${pages.length} × 200\n`);
      const firstIds = new Set(pages.filter((p) => p.page === 1).map((p) => p.items[0].id));
      const secondIds = new Set(pages.filter((p) => p.page === 2).map((p) => p.items[0].id));
      expect(firstIds.size).toBe(1);
      expect(secondIds.size).toBe(1);
      expect([...firstIds][0]).not.toBe([...secondIds][0]);
    } finally {
      agent.destroy();
    }
  });
});
