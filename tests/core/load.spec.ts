import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { burstQueueSize, listenQueueSize } from '../helpers/listen-queue';
import { missing, REDIS_TEST_URL } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

// Issue 2's bar: the cached list takes 100 concurrent connections without a single error.
// Throughput is printed for the record; speed goals are asserted only in `npm run bench`.
describe.skipIf((await missing('postgres')) || (await missing('redis')))('GET /api/businesses under 100 connections', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startApp({
      env: { DATABASE_URL: database.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: `load-${database.name}:`, LOG_LEVEL: 'silent' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('answers every request with 200', async () => {
    const result = await autocannon({ url: `${app.url}/api/businesses?limit=20`, connections: 100, duration: 3 });
    process.stdout.write(
      `load: ${result.requests.total} requests, ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ` +
        `errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}\n`,
    );
    expect(result.requests.total).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
  });

  it('listens with an accept queue that holds the seed burst of 1000 new connections', () => {
    // With Node's default (511) such a burst overflowed the queue while the app was busy, and the
    // dropped SYNs were resent only a second later (the seed scenario took ~1.1 s instead of ~0.3).
    expect(listenQueueSize(new URL(app.url).port)).toBeGreaterThanOrEqual(burstQueueSize());
  });
});
