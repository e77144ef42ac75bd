import { connect, Socket } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const IN_FLIGHT = 6;

/**
 * Waits until `count` queries of the app's pool are blocked on the table lock. Needs its own
 * connection: inside a transaction pg_stat_activity is a snapshot that never changes.
 */
async function waitForBlockedQueries(watcher: Client, database: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await watcher.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND application_name = 'ecosyste-backend'`,
      [database],
    );
    if (rows[0].n >= count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${count} requests reached the database`);
}

/** A socket that made one keep-alive request, got its answer, and stays open doing nothing. */
async function idleKeepAliveSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answered = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
  expect(await answered).toMatch(/^HTTP\/1\.1 200/);
  return socket;
}

describe.skipIf(await missing('postgres'))('graceful shutdown of the built app', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let locker: Client;
  let watcher: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startApp({ env: { DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: '8000', LOG_LEVEL: 'info' }, readyPath: '/health/ready' });
    locker = new Client({ connectionString: database.url });
    watcher = new Client({ connectionString: database.url });
    await Promise.all([locker.connect(), watcher.connect()]);
  });
  afterAll(async () => {
    await Promise.all([locker?.end().catch(() => undefined), watcher?.end().catch(() => undefined)]);
    await app?.stop(2000);
    await database?.drop();
  });

  it('SIGTERM mid-flight: every in-flight request gets its 200, new connections are refused, exit code 0', async () => {
    // Hold the table so that the requests are really in flight (waiting in PostgreSQL) at SIGTERM.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE businesses IN ACCESS EXCLUSIVE MODE');
    const requests = Array.from({ length: IN_FLIGHT }, (_, i) =>
      fetch(`${app.url}/api/businesses?q=inflight${i}`).then(async (res) => ({ status: res.status, body: await res.json() })),
    );
    await waitForBlockedQueries(watcher, database.name, IN_FLIGHT);

    // An idle keep-alive connection: the server must close it rather than wait for its timeout.
    const idle = await idleKeepAliveSocket(app.port);
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));

    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      app.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    app.child.kill('SIGTERM');
    // The listening socket closes at once: a new client is turned away while the others finish.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = await fetch(`${app.url}/health/live`, { signal: AbortSignal.timeout(500) }).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 25));
    }
    expect(refused).toBe(true);
    expect(app.child.exitCode).toBeNull();

    await locker.query('COMMIT');
    const responses = await Promise.all(requests);
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    }
    await idleClosed;
    // In time: before SHUTDOWN_TIMEOUT_MS would have cut anything.
    const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]);
    expect(outcome).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('SIGTERM received: draining in-flight requests');
  });

  it('a request outlasting SHUTDOWN_TIMEOUT_MS has its connection cut, and the exit code says so', async () => {
    const short = await startApp({ env: { DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: '300' }, readyPath: '/health/ready' });
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE businesses IN ACCESS EXCLUSIVE MODE');
      const slow = fetch(`${short.url}/api/businesses?q=too-slow`).then(
        (res) => res.status,
        () => 'cut',
      );
      await waitForBlockedQueries(watcher, database.name, 1);
      const exited = new Promise<number | null>((resolve) => short.child.once('exit', (code) => resolve(code)));
      short.child.kill('SIGTERM');
      expect(await slow).toBe('cut');
      await locker.query('COMMIT');
      expect(await exited).toBe(1);
      expect(short.output()).toContain('requests still running after 300 ms');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await short.stop(2000);
    }
  });
});
