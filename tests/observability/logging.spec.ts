import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, BACKEND_MAIN, ROOT, startApp } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { missing } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

// Every secret the app is given or sent; none may appear in any log line or file.
const SECRETS = {
  dbPassword: 'pg-pass-SECRET-1',
  redisPassword: 'redis-pass-SECRET-2',
  adminToken: 'admin-token-SECRET-3-xxxxxxxx',
  metricsToken: 'metrics-token-SECRET-4-xxxxxx',
  externalPassword: 'ext-pass-SECRET-5',
  bearer: 'auth-header-SECRET-6',
  cookie: 'cookie-SECRET-7',
  queryToken: 'query-token-SECRET-8',
  bodyPassword: 'body-pass-SECRET-9',
};

type LogLine = Record<string, unknown>;
const parseLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LogLine);

describe.skipIf((await missing('postgres')) || (await missing('redis')))('logs of the built app', () => {
  let database: TestDatabase;
  let logDir: string;
  let json: AppProcess;
  let silent: AppProcess;
  let pretty: AppProcess;
  let rotating: AppProcess;
  let rotateDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    logDir = mkdtempSync(join(tmpdir(), 'ecosyste-logs-'));
    rotateDir = mkdtempSync(join(tmpdir(), 'ecosyste-logs-rotate-'));
    const dbUrl = new URL(database.url);
    dbUrl.password = SECRETS.dbPassword; // trust authentication ignores it; the logs must too
    const closedPort = await freePort();
    [json, silent, pretty, rotating] = await Promise.all([
      startApp({
        env: {
          DATABASE_URL: dbUrl.toString(),
          REDIS_URL: `redis://:${SECRETS.redisPassword}@127.0.0.1:${closedPort}/0`,
          API_ADMIN_TOKEN: SECRETS.adminToken,
          METRICS_TOKEN: SECRETS.metricsToken,
          HEALTH_EXTERNAL_URLS: `http://probe:${SECRETS.externalPassword}@127.0.0.1:${closedPort}/status`,
          TRUST_PROXY: '127.0.0.1',
          LOG_LEVEL: 'trace',
          LOG_DIR: logDir,
        },
        readyPath: '/health/ready',
      }),
      startApp({ env: { DATABASE_URL: database.url, LOG_LEVEL: 'silent', METRICS_ENABLED: 'false' }, readyPath: '/health/ready' }),
      startApp({ env: { DATABASE_URL: database.url, NODE_ENV: 'development', LOG_LEVEL: 'info' }, readyPath: '/health/ready' }),
      startApp({
        env: { DATABASE_URL: database.url, LOG_LEVEL: 'info', LOG_DIR: rotateDir, LOG_FILE_MAX_SIZE: '2k', LOG_FILE_KEEP: '2' },
        readyPath: '/health/ready',
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([json?.stop(), silent?.stop(), pretty?.stop(), rotating?.stop()]);
    await database?.drop();
    rmSync(logDir, { recursive: true, force: true });
    rmSync(rotateDir, { recursive: true, force: true });
  });

  it('writes one ECS JSON line per request, with the request id echoed in the response', async () => {
    const res = await fetch(`${json.url}/api/businesses?q=pain`, {
      headers: {
        'x-request-id': 'trace-me-123',
        'user-agent': 'obs-test/1.0',
        'x-forwarded-for': '203.0.113.7',
        authorization: `Bearer ${SECRETS.bearer}`,
        cookie: `session=${SECRETS.cookie}`,
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    // An unknown parameter is a 400, logged as a warning with its secret-looking value masked.
    expect((await fetch(`${json.url}/api/businesses?token=${SECRETS.queryToken}`)).status).toBe(400);
    await fetch(`${json.url}/api/businesses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', password: SECRETS.bodyPassword }),
    });
    await fetch(`${json.url}/metrics`, { headers: { authorization: `Bearer ${SECRETS.metricsToken}` } });
    expect((await fetch(`${json.url}/health`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 300)); // asynchronous stdout

    const lines = parseLines(json.output());
    for (const line of lines) {
      expect(line).toHaveProperty('@timestamp');
      expect(line).toHaveProperty('log.level');
      expect(line).toHaveProperty('message');
      expect(line['ecs.version']).toMatch(/^8\./);
    }
    const requestLines = lines.filter((l) => l['http.request.id'] === 'trace-me-123' && l.message === 'request completed');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      'log.level': 'info',
      'http.request.method': 'GET',
      'http.route': '/api/businesses',
      'http.response.status_code': 200,
      'user_agent.original': 'obs-test/1.0',
      'client.ip': '203.0.113.7',
      'url.path': '/api/businesses?q=pain',
      'service.name': 'ecosyste-backend',
    });
    expect(requestLines[0]['event.duration']).toEqual(expect.any(Number));
    // A client error is a warning; probes and scrapes are not request-logged.
    expect(lines.some((l) => l['url.path'] === '/api/businesses?token=[REDACTED]' && l['log.level'] === 'warn')).toBe(true);
    expect(lines.some((l) => l['http.route'] === '/metrics' || l['http.route'] === '/health')).toBe(false);
  });

  it('never writes a secret: headers, cookies, tokens, passwords in URLs and bodies', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const everything = json.output() + readFileSync(join(logDir, 'combined.log'), 'utf8') + readFileSync(join(logDir, 'error.log'), 'utf8');
    expect(everything.length).toBeGreaterThan(1000);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(everything.includes(secret), `${name} leaked into the logs`).toBe(false);
    }
  });

  it('LOG_DIR: error.log holds errors only, combined.log everything, both links to dated rotating files', async () => {
    for (const name of ['error.log', 'combined.log']) {
      expect(lstatSync(join(logDir, name)).isSymbolicLink()).toBe(true);
    }
    const errors = parseLines(readFileSync(join(logDir, 'error.log'), 'utf8'));
    expect(errors.length).toBeGreaterThan(0); // the failed /health check
    expect(errors.every((l) => l['log.level'] === 'error' || l['log.level'] === 'fatal')).toBe(true);
    const combined = parseLines(readFileSync(join(logDir, 'combined.log'), 'utf8'));
    expect(combined.some((l) => l['http.request.id'] === 'trace-me-123')).toBe(true);
    expect(combined.some((l) => l['log.level'] === 'info')).toBe(true);
  });

  it('rotates past LOG_FILE_MAX_SIZE, keeps LOG_FILE_KEEP old files, and combined.log follows the newest', async () => {
    for (let i = 0; i < 40; i++) await fetch(`${rotating.url}/api/businesses?limit=1&q=rotation${i}`);
    await new Promise((r) => setTimeout(r, 500));
    const dated = readdirSync(rotateDir).filter((f) => /^combined\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(f));
    const numbers = dated.map((f) => Number(f.split('.').at(-2))).sort((a, b) => a - b);
    expect(numbers.at(-1)).toBeGreaterThan(2); // rolled several times
    expect(dated.length).toBeLessThanOrEqual(3); // the current file and LOG_FILE_KEEP=2 older ones
    expect(readlinkSync(join(rotateDir, 'combined.log'))).toMatch(new RegExp(`\\.${numbers.at(-1)}\\.log$`));
  });

  it('LOG_LEVEL=silent and METRICS_ENABLED=false really switch both off (the request id stays)', async () => {
    const before = silent.output();
    const res = await fetch(`${silent.url}/api/businesses?limit=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${silent.url}/metrics`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    expect(before).toBe('');
    expect(silent.output()).toBe('');
  });

  it('development prints a readable console instead of JSON', async () => {
    await fetch(`${pretty.url}/api/businesses?limit=1`);
    await new Promise((r) => setTimeout(r, 300));
    const out = pretty.output();
    expect(out).toContain('request completed');
    expect(out.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
  });
});

describe('logs at a crash', () => {
  it("a process that exits at once still leaves its last lines in stdout, error.log and combined.log", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecosyste-crash-logs-'));
    try {
      // The built logger, a request line and an error, then an exit before any timer could flush them.
      const dist = join(BACKEND_MAIN, '..');
      const script = `
        const { loadConfig } = require(${JSON.stringify(join(dist, 'config/config.loader.js'))});
        const { createRootLogger } = require(${JSON.stringify(join(dist, 'logging/logger.factory.js'))});
        createRootLogger(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://app@db/app', LOG_DIR: ${JSON.stringify(dir)} })).then((root) => {
          const request = { id: 'last-request', method: 'GET', url: '/api/businesses', ip: '203.0.113.9', headers: {}, is404: false, routeOptions: { url: '/api/businesses' } };
          root.requestLines.write('info', request, '/api/businesses', 200, 1);
          root.logger.error('the last error before the crash');
          process.exit(70);
        });`;
      const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(run.status, run.stderr).toBe(70);
      const stdout = parseLines(run.stdout);
      const combined = parseLines(readFileSync(join(dir, 'combined.log'), 'utf8'));
      const errors = parseLines(readFileSync(join(dir, 'error.log'), 'utf8'));
      for (const lines of [stdout, combined]) {
        expect(lines.some((l) => l['http.request.id'] === 'last-request')).toBe(true);
        expect(lines.some((l) => l.message === 'the last error before the crash')).toBe(true);
      }
      expect(errors.map((l) => l.message)).toEqual(['the last error before the crash']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
