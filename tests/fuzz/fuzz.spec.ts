import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { missing, REDIS_TEST_URL } from '../helpers/services';
import { createTestDatabase, seedBusinesses, TestDatabase } from '../helpers/test-database';
import { loadCorpus, prng, randomCase } from './fuzz-cases';
import { FuzzCase, FuzzOutcome, FuzzVars, send } from './raw-http';

// 10,000 random and malformed requests against the built app on real PostgreSQL and Redis: the
// corpus (tests/fuzz/corpus/*.json, hand-written cases and past regressions) first, then cases
// drawn from a seeded generator. Not one may get a 5xx, hang, or take the process down.
// FUZZ_SEED replays or varies the random part; a failure prints each case as a corpus entry.
const TOTAL = 10_000;
const IN_FLIGHT = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_125);
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';

interface Tally {
  statuses: Map<number, number>;
  serverErrors: { c: FuzzCase; o: FuzzOutcome }[];
  hangs: FuzzCase[];
  unexpectedDrops: FuzzCase[];
  nonJsonErrors: { c: FuzzCase; o: FuzzOutcome }[];
}

describe.skipIf((await missing('postgres')) || (await missing('redis')))('fuzzing the API with 10,000 requests', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let vars: FuzzVars;
  let ids: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    seedBusinesses(database.url, 200);
    app = await startApp({
      // A busy two-core machine (the whole suite at once) can take many seconds to boot the app.
      readyTimeoutMs: 60_000,
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: REDIS_TEST_URL,
        REDIS_KEY_PREFIX: `fuzz-${database.name}:`,
        API_ADMIN_TOKEN: ADMIN_TOKEN,
        LOG_LEVEL: 'error',
      },
    });
    const page = (await (await fetch(`${app.url}/api/businesses?limit=100`)).json()) as { items: { id: string }[] };
    ids = page.items.map((b) => b.id);
    vars = { token: ADMIN_TOKEN, id: ids[0] };
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('answers every one without a 5xx, a hang or a crash, and stays healthy', { timeout: 300_000 }, async () => {
    const corpus = loadCorpus();
    const rand = prng(SEED);
    const cases = [...corpus];
    while (cases.length < TOTAL) cases.push(randomCase(rand, { adminToken: ADMIN_TOKEN, ids }, cases.length));

    const tally: Tally = { statuses: new Map(), serverErrors: [], hangs: [], unexpectedDrops: [], nonJsonErrors: [] };
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < cases.length && app.child.exitCode === null) {
        const c = cases[next++];
        const o = await send(app.port, c, vars);
        tally.statuses.set(o.status, (tally.statuses.get(o.status) ?? 0) + 1);
        if (o.timedOut) tally.hangs.push(c);
        else if (o.status >= 500) tally.serverErrors.push({ c, o });
        else if (o.status === 0 && !c.mayDrop) tally.unexpectedDrops.push(c);
        else if (o.status >= 400 && c.method !== 'HEAD' && !c.mayDrop && !c.bareError && !/json/.test(o.contentType ?? '')) tally.nonJsonErrors.push({ c, o });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (Date.now() - started) / 1000;

    const counts = [...tally.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s === 0 ? 'closed' : s}×${n}`);
    process.stdout.write(
      `fuzz (seed ${SEED}): ${cases.length} requests (${corpus.length} from the corpus) in ${seconds.toFixed(1)} s — ${counts.join(' ')}; ` +
        `5xx ${tally.serverErrors.length}, hangs ${tally.hangs.length}, unexpected closes ${tally.unexpectedDrops.length}, ` +
        `non-JSON errors ${tally.nonJsonErrors.length}\n`,
    );
    const report = (label: string, list: FuzzCase[]) => {
      // Ready to paste into tests/fuzz/corpus/regressions.json.
      for (const c of list.slice(0, 10)) process.stdout.write(`${label}: ${JSON.stringify({ ...c, name: `${label}: ${c.name}` })}\n`);
    };
    report('5xx', tally.serverErrors.map((e) => e.c));
    report('hang', tally.hangs);
    report('closed without an answer', tally.unexpectedDrops);
    report('non-JSON error', tally.nonJsonErrors.map((e) => e.c));

    expect(app.child.exitCode, app.output()).toBeNull();
    expect(tally.serverErrors).toHaveLength(0);
    expect(tally.hangs).toHaveLength(0);
    expect(tally.unexpectedDrops).toHaveLength(0);
    expect(tally.nonJsonErrors).toHaveLength(0);

    // Healthy afterwards: the process is up, both probes pass, and a plain read still works.
    for (const probe of ['/health/live', '/health/ready']) expect((await fetch(`${app.url}${probe}`)).status, probe).toBe(200);
    const after = await fetch(`${app.url}/api/businesses?limit=1`);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
