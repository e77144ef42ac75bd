import { createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServer, RedisServer } from '../../../tests/helpers/redis-server';
import { missing, PG_ADMIN_URL } from '../../../tests/helpers/services';
import { ShutdownState } from '../src/lifecycle/shutdown.state';
import { createTestApp, TestApp } from './support/test-app';

const CHECK_TIMEOUT_MS = 200;

/** A TCP server that accepts connections and never answers: a hung dependency. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://probe:s3cret-in-url@127.0.0.1:${port}/health?key=abc`,
    close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/** The response, or a failure if it takes more than a second: the probes' promise. */
async function withinOneSecond<T>(request: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000)));
  try {
    return await Promise.race([request, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf((await missing('postgres')) || (await missing('redis')))('health probes', () => {
  let healthy: TestApp;
  let troubled: TestApp;
  let orphan: TestApp;
  let redis: RedisServer;
  let hole: Awaited<ReturnType<typeof blackHole>>;

  beforeAll(async () => {
    [redis, hole] = await Promise.all([redisServer(), blackHole()]);
    [healthy, troubled, orphan] = await Promise.all([
      createTestApp(),
      createTestApp({
        env: {
          REDIS_URL: redis.url,
          HEALTH_EXTERNAL_URLS: hole.url,
          HEALTH_CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS),
          // Thresholds any running process exceeds.
          HEALTH_HEAP_MAX_MB: '16',
          HEALTH_RSS_MAX_MB: '16',
          HEALTH_DISK_MAX_PERCENT: '1',
        },
      }),
      createTestApp(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([healthy?.close(), troubled?.close(), orphan?.close()]);
    await Promise.all([redis?.destroy(), hole?.close()]);
  });

  it('GET /health: database, redis, disk and memory in terminus JSON', async () => {
    const res = await healthy.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.info).sort()).toEqual(['database', 'disk', 'memory_heap', 'memory_rss', 'redis']);
    expect(body.details.database).toMatchObject({ status: 'up', kind: 'postgres' });
    expect(body.error).toEqual({});
  });

  it('GET /health/live checks the process only; /health/ready the database, lifecycle and cache', async () => {
    expect((await healthy.app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    const ready = await healthy.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(Object.keys(ready.json().info).sort()).toEqual(['database', 'lifecycle', 'redis']);
  });

  it('a hung external service, a dead Redis, memory and disk over their thresholds: /health answers 503 within 1 s, readiness stays 200 (degraded)', async () => {
    await redis.stop();
    try {
      await expectTroubledAnswers();
    } finally {
      // Restarted whatever happened: the helper's stop() waits for a live process.
      await redis.start();
    }
  });

  async function expectTroubledAnswers(): Promise<void> {
    const health = await withinOneSecond(troubled.app.inject({ url: '/health' }));
    expect(health.statusCode).toBe(503);
    const body = health.json();
    // terminus's own shape, not an error envelope: a failed check is an answer, not an exception.
    expect(Object.keys(body).sort()).toEqual(['details', 'error', 'info', 'status']);
    expect(body.status).toBe('error');
    expect(body.error.redis.status).toBe('down');
    for (const key of ['memory_heap', 'memory_rss', 'disk']) expect(body.error[key].status).toBe('down');
    expect(body.info.database.status).toBe('up');
    const services = body.error['external-services'].services as Record<string, { status: string; message: string }>;
    expect(Object.values(services)).toEqual([{ status: 'down', message: `no answer within ${CHECK_TIMEOUT_MS} ms` }]);
    // Credentials and query string of a configured URL are not published.
    expect(health.body).not.toContain('s3cret-in-url');
    expect(health.body).not.toContain('key=abc');

    const ready = await withinOneSecond(troubled.app.inject({ url: '/health/ready' }));
    expect(ready.statusCode).toBe(200);
    expect(ready.json().info.redis).toMatchObject({ status: 'up', degraded: true });
  }

  it('database gone: readiness 503, liveness still 200', async () => {
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE ${orphan.database.name} WITH (FORCE)`);
    await admin.end();
    const ready = await withinOneSecond(orphan.app.inject({ url: '/health/ready' }));
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.database.status).toBe('down');
    expect((await orphan.app.inject({ url: '/health/live' })).statusCode).toBe(200);
  });

  it('from the moment shutdown begins: readiness 503 and every response closes its connection', async () => {
    healthy.app.get(ShutdownState).begin();
    const ready = await healthy.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.lifecycle).toEqual({ status: 'down', message: 'shutting down' });
    expect(ready.headers.connection).toBe('close');
    const live = await healthy.app.inject({ url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.headers.connection).toBe('close');
  });
});
