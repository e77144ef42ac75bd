import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { RedisServer, redisServer } from '../helpers/redis-server';
import { missing } from '../helpers/services';
import { createTestDatabase, seedBusinesses, TestDatabase } from '../helpers/test-database';
import { loadLoop, sleep, tally } from './support/load-loop';

// Drill: Redis (a private redis-server, never the machine's) dies and comes back while the API
// serves steady traffic. Every request must still succeed — from PostgreSQL while the cache is
// gone — and the app must start caching again by itself once Redis is back.
const PREFIX = 'drill-redis:';

function cachedKeys(redis: RedisServer): number {
  const r = spawnSync('redis-cli', ['-p', String(redis.port), '--scan', '--pattern', `${PREFIX}*`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) return -1;
    await sleep(100);
  }
  return Date.now() - started;
}

describe.skipIf(await missing('postgres'))('drill: Redis stopped and restarted under load', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    seedBusinesses(database.url, 300);
    redis = await redisServer();
    app = await startApp({
      env: { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX, LOG_LEVEL: 'error' },
      readyTimeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.destroy();
    await database?.drop();
  });

  it('answers every request without a 5xx, and the cache resumes on its own', async () => {
    const load = loadLoop({ url: app.url, path: (n) => `/api/businesses?page=${1 + (n % 8)}`, workers: 8, pauseMs: 5, maxRequests: 30_000 });
    await sleep(1500);
    const keysBefore = cachedKeys(redis);

    await redis.stop();
    const down = load.samples.length;
    await sleep(3000);
    const duringOutage = load.samples.length - down;
    await redis.start();
    // The restarted Redis is empty (no persistence): keys appear only if the app reconnected.
    const resumedMs = await until(() => cachedKeys(redis) > 0, 20_000);
    await sleep(1000);
    const samples = await load.stop();

    const { line, byStatus } = tally(samples);
    process.stdout.write(
      `redis drill: ${samples.length} requests (${duringOutage} while Redis was down) → ${line}; ` +
        `cached keys before ${keysBefore}, cache resumed ${resumedMs} ms after Redis restarted\n`,
    );
    expect(keysBefore).toBeGreaterThan(0);
    expect(duringOutage).toBeGreaterThan(0);
    expect(byStatus).toEqual({ 200: samples.length });
    expect(resumedMs).toBeGreaterThanOrEqual(0);
    expect(app.child.exitCode).toBeNull();
  });
});
