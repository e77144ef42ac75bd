import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { TcpSocketConnectOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, ConnectionOptions, TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspHeaderValue } from '../../apps/backend/src/security/content-security-policy';
import { AppProcess, ROOT, startApp } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { burstQueueSize, listenQueueSize } from '../helpers/listen-queue';
import { answers200, listening, spawnReady } from '../helpers/ready-process';
import { missing, REDIS_TEST_URL } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { exposedMetricNames, metricsUsed } from '../monitoring/support/monitoring-files';
import { chromiumMissing, DESKTOP_VIEWPORT, launchBrowser, watchedPage } from '../web/support/browser';
import { EdgeResponse, edgeRequest, headerValues } from './support/edge-client';
import { Edge, NGINX_BIN, startEdge, TEST_SERVER_NAME } from './support/edge-nginx';

const EXPORT_DIR = join(ROOT, 'apps', 'frontend', 'out');
const APP_LIMIT = 25;

const SECURITY_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=63072000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-xss-protection': '0',
};

/** Each header exactly once (nginx's copy, the app's hidden), with the expected value. */
function expectSecurityHeaders(res: EdgeResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headerValues(res, name), name).toEqual([value]);
  const csp = headerValues(res, 'content-security-policy');
  expect(csp).toHaveLength(1);
  expect(directives(csp[0])).toEqual(directives(cspHeaderValue()));
  const permissions = headerValues(res, 'permissions-policy');
  expect(permissions).toHaveLength(1);
  expect(permissions[0]).toMatch(/camera=\(\)/);
  expect(permissions[0]).toMatch(/microphone=\(\)/);
  // No version anywhere: "nginx" alone, and nothing from the app's framework.
  expect(headerValues(res, 'server')).toEqual(['nginx']);
  expect(res.headers['x-powered-by']).toBeUndefined();
}

function directives(csp: string): string[] {
  return csp
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
}

/** The largest hashed script of the export: big enough for gzip to apply. */
function largestChunk(): string {
  const chunks = join(EXPORT_DIR, '_next', 'static', 'chunks');
  const files = readdirSync(chunks).filter((f) => f.endsWith('.js'));
  files.sort((a, b) => statSync(join(chunks, b)).size - statSync(join(chunks, a)).size);
  return `/_next/static/chunks/${files[0]}`;
}

// s_client's summary line once a handshake completed with a real cipher suite.
const TLS11_ESTABLISHED = /New, TLSv1\.[01], Cipher is [A-Z]/;

function openssl(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { input: '', encoding: 'utf8', timeout: 15_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf((await missing('postgres')) || (await missing('redis')))('nginx edge in front of two backends', () => {
  let database: TestDatabase;
  let backends: AppProcess[] = [];
  let edge: Edge;
  let webRoot: string;
  const https = (path: string, extra: Partial<Parameters<typeof edgeRequest>[0]> = {}) =>
    edgeRequest({ port: edge.httpsPort, path, tls: { ca: edge.ca }, ...extra });

  beforeAll(async () => {
    database = await createTestDatabase();
    // The app's own limit, shared through Redis, low enough for one test to reach it; it counts
    // the client nginx forwards, not nginx's address. TRUST_PROXY=true, as docker-compose.prod.yml
    // sets it: safe only because nginx replaces any X-Forwarded-For a client sends (tested below).
    const env = {
      DATABASE_URL: database.url,
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'silent',
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: `edge-${database.name}:`,
      RATE_LIMIT_MAX: String(APP_LIMIT),
      // Exact shared counting: nginx alternates the two backends faster than the default 100 ms
      // sync, which would make the count approximate (batches: security-rate-limit.int-spec.ts).
      RATE_LIMIT_SYNC_MS: '0',
    };
    backends = await Promise.all([startApp({ env }), startApp({ env })]);
    // A copy of the export plus one trailing-slash page, so routing is checked whatever pages the UI has.
    webRoot = mkdtempSync(join(tmpdir(), 'ecosyste-edge-web-'));
    cpSync(EXPORT_DIR, webRoot, { recursive: true });
    mkdirSync(join(webRoot, 'edge-probe'));
    writeFileSync(join(webRoot, 'edge-probe', 'index.html'), '<!DOCTYPE html><title>probe</title><p>edge probe page</p>');
    edge = await startEdge({ backends: backends.map((b) => `127.0.0.1:${b.port}`), webRoot });
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all(backends.map((b) => b.stop()));
    await database?.drop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('loads the rendered template without a warning (nginx -t)', () => {
    const r = spawnSync(NGINX_BIN, ['-t', '-p', `${edge.dir}/`, '-c', join(edge.dir, 'nginx.conf'), '-e', join(edge.dir, 'error.log')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/test is successful/);
    expect(r.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
  });

  it('listens on ports 80 and 443 with an accept queue that holds a burst of 1000 new connections', () => {
    // nginx's default queue is 511: the rest of such a burst would be resent by clients a second later.
    for (const port of [edge.httpPort, edge.httpsPort]) expect(listenQueueSize(port)).toBeGreaterThanOrEqual(burstQueueSize());
  });

  describe('port 80', () => {
    it('redirects everything to HTTPS with a 301, path and query kept', async () => {
      const res = await edgeRequest({ port: edge.httpPort, path: '/api/businesses?q=boulangerie&page=2' });
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe(`https://${TEST_SERVER_NAME}/api/businesses?q=boulangerie&page=2`);
      expect(headerValues(res, 'server')).toEqual(['nginx']);
    });

    it("serves Let's Encrypt's HTTP-01 challenge from the webroot, not redirected", async () => {
      const dir = join(edge.acmeRoot, '.well-known', 'acme-challenge');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'tok3n-abc'), 'tok3n-abc.key-authorization');
      const res = await edgeRequest({ port: edge.httpPort, path: '/.well-known/acme-challenge/tok3n-abc' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('tok3n-abc.key-authorization');
      expect((await edgeRequest({ port: edge.httpPort, path: '/.well-known/acme-challenge/missing' })).status).toBe(404);
    });
  });

  describe('TLS (openssl s_client)', () => {
    const connect = () => ['s_client', '-connect', `127.0.0.1:${edge.httpsPort}`, '-servername', TEST_SERVER_NAME];

    it('negotiates TLS 1.3 and HTTP/2, with a certificate the client verifies', () => {
      const r = openssl([...connect(), '-tls1_3', '-alpn', 'h2', '-CAfile', join(edge.letsencryptDir, 'live', TEST_SERVER_NAME, 'fullchain.pem')]);
      expect(r.out).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
      expect(r.out).toMatch(/ALPN protocol: h2/);
      expect(r.out).toMatch(/Verify return code: 0 \(ok\)/);
    });

    it('accepts TLS 1.2 with a forward-secret AEAD suite only', () => {
      expect(openssl([...connect(), '-tls1_2']).out).toMatch(/New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384)/);
      // RSA key exchange and CBC suites are outside Mozilla's intermediate list.
      const weak = openssl([...connect(), '-tls1_2', '-cipher', 'AES128-SHA:AES256-SHA:ECDHE-ECDSA-AES128-SHA']);
      expect(weak.ok).toBe(false);
      expect(weak.out).not.toMatch(/New, TLSv1\.2, Cipher is [A-Z]/);
    });

    it('refuses TLS 1.1, which the same client can speak (shown against openssl s_server)', async () => {
      // Control: the client settings really offer TLS 1.1, so a refusal is the server's doing.
      const port = await freePort();
      const cert = join(edge.letsencryptDir, 'live', TEST_SERVER_NAME);
      const server = await spawnReady(
        'openssl',
        ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', join(cert, 'fullchain.pem'), '-key', join(cert, 'privkey.pem'), '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-www'],
        { ready: () => listening(port), timeoutMs: 5000, stopSignal: 'SIGKILL' },
      );
      try {
        const client = ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'];
        const control = openssl(['s_client', '-connect', `127.0.0.1:${port}`, ...client]);
        expect(control.out).toMatch(TLS11_ESTABLISHED);

        const refused = openssl([...connect(), ...client]);
        expect(refused.ok).toBe(false);
        expect(refused.out).not.toMatch(TLS11_ESTABLISHED);
        expect(refused.out).toMatch(/alert protocol version|unsupported protocol/i);
      } finally {
        await server.stop();
      }
    });

    it('refuses a handshake for a host name it does not serve', () => {
      const r = openssl(['s_client', '-connect', `127.0.0.1:${edge.httpsPort}`, '-servername', 'evil.example', '-tls1_3']);
      expect(r.ok).toBe(false);
      expect(r.out).toMatch(/unrecognized name|alert/i);
    });
  });

  describe('headers and static files', () => {
    it('serves the home page with every security header, revalidated, gzipped', async () => {
      const res = await https('/', { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toBe(readFileSync(join(EXPORT_DIR, 'index.html'), 'utf8'));
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['cache-control']).toBe('no-cache');
      expectSecurityHeaders(res);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    });

    it('serves hashed assets for a year, immutable, gzipped, with the security headers too', async () => {
      const path = largestChunk();
      const res = await https(path, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.text).toBe(readFileSync(join(webRoot, path), 'utf8'));
      expectSecurityHeaders(res);
    });

    it('resolves trailing-slash routes to their index.html, and answers unknown pages with the export 404', async () => {
      const page = await https('/edge-probe/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('edge probe page');
      const bare = await https('/edge-probe');
      expect(bare.status).toBe(301);
      expect(bare.headers.location).toBe('/edge-probe/');

      const missingPage = await https('/no/such/page/');
      expect(missingPage.status).toBe(404);
      expect(missingPage.text).toBe(readFileSync(join(EXPORT_DIR, '404.html'), 'utf8'));
      expectSecurityHeaders(missingPage);
      // The error page is only an error page.
      expect((await https('/404.html')).status).toBe(404);
    });

    it('proxies the API with the edge headers only once, whatever the app adds', async () => {
      const res = await https('/api/businesses?limit=1');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ page: 1, limit: 1 });
      expectSecurityHeaders(res);
      // The API decides its own caching; the edge adds none.
      expect(headerValues(res, 'cache-control').length).toBeLessThanOrEqual(1);
      expect(headerValues(res, 'cache-control')).not.toContain('no-cache');
    });
  });

  describe('proxying', () => {
    it('forwards the X-Request-Id to the backend, which answers with the same id', async () => {
      const kept = await https('/api/businesses?limit=1', { headers: { 'x-request-id': 'edge-test-42' } });
      expect(headerValues(kept, 'x-request-id')).toEqual(['edge-test-42']);
      // Without one, nginx makes one (32 hex) and the backend uses it rather than its own UUID.
      const made = await https('/api/businesses?limit=1');
      expect(headerValues(made, 'x-request-id')).toHaveLength(1);
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
      // An id that could forge log lines is replaced.
      const forged = await https('/api/businesses?limit=1', { headers: { 'x-request-id': 'a b"c' } });
      expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    });

    it('passes /health to the backend', async () => {
      const res = await https('/health/live');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });

    it('never serves /metrics or stub_status to the outside', async () => {
      for (const path of ['/metrics', '/metrics/', '/metrics?format=prometheus', '/stub_status']) {
        const res = await https(path);
        expect([403, 404], path).toContain(res.status);
        expect(res.text, path).not.toMatch(/# TYPE|Active connections/);
      }
    });

    it('refuses bodies over 1 MB with a JSON 413 before they reach the app', async () => {
      const res = await https('/api/businesses', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }),
      });
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expectSecurityHeaders(res);
    });
  });

  describe('rate limit', () => {
    it('lets a burst of 20 through and answers the rest 429 in JSON, never a 5xx', async () => {
      const started = Date.now();
      // Its own source address: nginx keeps one budget per client address.
      const responses = await Promise.all(
        Array.from({ length: 60 }, () => https('/api/businesses?limit=1', { localAddress: '127.0.0.2' })),
      );
      const elapsedSeconds = (Date.now() - started) / 1000;
      const count = (status: number) => responses.filter((r) => r.status === status).length;
      process.stdout.write(`edge burst: 60 requests → ${count(200)} × 200, ${count(429)} × 429 in ${elapsedSeconds.toFixed(2)} s\n`);

      expect(responses.filter((r) => r.status >= 500)).toHaveLength(0);
      expect(count(200) + count(429)).toBe(60);
      expect(count(200)).toBeGreaterThanOrEqual(1);
      // 1 + burst 20, plus what 10 r/s refills while the burst is in flight.
      expect(count(200)).toBeLessThanOrEqual(21 + Math.ceil(elapsedSeconds * 10));
      expect(count(429)).toBeGreaterThan(0);
      for (const r of responses.filter((x) => x.status === 429)) {
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(r.text)).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      }
      // nginx's own refusal (on a slow machine a few may pass the edge and meet the app's limit).
      const refused = responses.find((r) => r.status === 429 && r.text.includes('Rate limit exceeded'))!;
      expect(refused).toBeDefined();
      expect(headerValues(refused, 'retry-after')).toEqual(['1']);
      expect(headerValues(refused, 'x-request-id')).toHaveLength(1);
      expectSecurityHeaders(refused);

      // Another client is not affected by that one's burst.
      expect((await https('/api/businesses?limit=1', { localAddress: '127.0.0.3' })).status).toBe(200);
    });
  });

  describe('connection limit', () => {
    it('holds at most 50 requests in flight per client, then answers 429 until they finish', async () => {
      const client = '127.0.0.8';
      // 50 requests whose bodies never come: nginx holds each one, counted, while it waits.
      const held: TLSSocket[] = [];
      try {
        for (let i = 0; i < 50; i++) {
          // tls.connect hands its options on to socket.connect(), which binds localAddress;
          // @types/node leaves that option out of tls.ConnectionOptions.
          const options: ConnectionOptions & Pick<TcpSocketConnectOpts, 'localAddress'> = {
            host: '127.0.0.1',
            port: edge.httpsPort,
            servername: TEST_SERVER_NAME,
            ca: edge.ca,
            localAddress: client,
            ALPNProtocols: ['http/1.1'],
          };
          const socket = tlsConnect(options);
          socket.on('error', () => undefined);
          socket.write(`POST /health HTTP/1.1\r\nHost: ${TEST_SERVER_NAME}\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n`);
          held.push(socket);
        }
        // stub_status counts requests being processed ("Writing"): wait until all 50 are in.
        let writing = 0;
        for (let i = 0; i < 100 && writing < 50; i++) {
          await new Promise((r) => setTimeout(r, 50));
          writing = Number(/Writing: (\d+)/.exec((await edgeRequest({ port: edge.statusPort, path: '/stub_status' })).text)?.[1] ?? 0);
        }
        expect(writing).toBeGreaterThanOrEqual(50);

        const refused = await https('/health/live', { localAddress: client });
        expect(refused.status).toBe(429);
        expect(JSON.parse(refused.text)).toMatchObject({ statusCode: 429 });
        // Only that client is held back.
        expect((await https('/health/live', { localAddress: '127.0.0.9' })).status).toBe(200);
      } finally {
        for (const socket of held) socket.destroy();
      }
      let after = 0;
      for (let i = 0; i < 50 && after !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = (await https('/health/live', { localAddress: client })).status;
      }
      expect(after).toBe(200);
    });
  });

  describe("the app's own limit behind the edge", () => {
    it('counts each client by its forwarded address and answers its own 429 once', async () => {
      const client = '127.0.0.6';
      // Within the edge's burst (21) and under the app's limit (25).
      const burst = await Promise.all(Array.from({ length: 21 }, () => https('/api/businesses?limit=1', { localAddress: client })));
      expect(burst.map((r) => r.status)).toEqual(Array(21).fill(200));
      // A second later the edge has refilled ~10 tokens; the app allows 4 more, then refuses.
      await new Promise((r) => setTimeout(r, 1100));
      const more: EdgeResponse[] = [];
      for (let i = 0; i < 8; i++) more.push(await https('/api/businesses?limit=1', { localAddress: client }));
      expect(more.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
      const refused = more[7];
      expect(JSON.parse(refused.text).message).toMatch(/at most 25 per 60 s/);
      expect(headerValues(refused, 'retry-after')).toHaveLength(1);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(1);
      expect(headerValues(refused, 'x-request-id')).toHaveLength(1);
      expectSecurityHeaders(refused);
      // A made-up X-Forwarded-For buys no fresh budget: nginx sends the real address instead.
      const spoofed = await https('/api/businesses?limit=1', { localAddress: client, headers: { 'x-forwarded-for': '198.51.100.77' } });
      expect(spoofed.status).toBe(429);
      // The app saw the client, not nginx: another client still has its whole budget.
      expect((await https('/api/businesses?limit=1', { localAddress: '127.0.0.7' })).status).toBe(200);
    });
  });

  describe('stub_status for nginx-exporter', () => {
    it('answers on the internal port to the allowed addresses only', async () => {
      const status = await edgeRequest({ port: edge.statusPort, path: '/stub_status' });
      expect(status.status).toBe(200);
      expect(status.text).toMatch(/^Active connections: \d+/);
      expect((await edgeRequest({ port: edge.statusPort, path: '/' })).status).toBe(404);
      // STATUS_ALLOW is 127.0.0.1 here (private ranges in production): any other client is refused.
      const stranger = await edgeRequest({ port: edge.statusPort, path: '/stub_status', localAddress: '127.0.0.2' });
      expect(stranger.status).toBe(403);
      expect(stranger.text).not.toMatch(/Active connections/);
    });

    it('is read by prometheus-nginx-exporter, which exposes every nginx_* metric the rules and dashboards use (mtail aside)', async () => {
      const port = await freePort();
      const metricsUrl = `http://127.0.0.1:${port}/metrics`;
      const exporter = await spawnReady(
        'prometheus-nginx-exporter',
        [`-nginx.scrape-uri=http://127.0.0.1:${edge.statusPort}/stub_status`, `-web.listen-address=127.0.0.1:${port}`],
        { ready: answers200(metricsUrl), timeoutMs: 5000, stopSignal: 'SIGKILL' },
      );
      try {
        // The exporter reads stub_status on every scrape, so the first answer already says whether it could.
        const metrics = await (await fetch(metricsUrl)).text();
        expect(metrics).toMatch(/^nginx_up 1$/m);
        const exposed = exposedMetricNames(metrics);
        // nginx_http_responses_total is mtail's, from the access log (tests/monitoring/exporters.spec.ts).
        const used = metricsUsed(/nginx_/).filter((m) => m !== 'nginx_http_responses_total');
        expect(used).toEqual(expect.arrayContaining(['nginx_up', 'nginx_connections_active', 'nginx_http_requests_total']));
        expect(used.filter((m) => !exposed.has(m))).toEqual([]);
        // stub_status has no status codes: the edge's 5xx ratio can't come from this exporter.
        expect(exposed.has('nginx_http_responses_total')).toBe(false);
      } finally {
        await exporter.stop();
      }
    });
  });

  describe.skipIf(chromiumMissing())('in a real browser (Chromium)', () => {
    it('runs the Next.js export under the CSP (inline hydration scripts allowed) and blocks foreign scripts', async () => {
      const browser = await launchBrowser();
      try {
        const { page, problems } = await watchedPage(browser, DESKTOP_VIEWPORT, { ignoreHTTPSErrors: true });
        // Browser-side code as strings: the test compiler's helpers don't exist in the page.
        await page.addInitScript(`
          window.cspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
        `);
        const response = await page.goto(`https://${TEST_SERVER_NAME}:${edge.httpsPort}/`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-security-policy']).toBeDefined();
        // The inline scripts ran (they create __next_f) and so did the hashed chunks (window.next).
        const state = await page.evaluate(`({
          flight: Array.isArray(self.__next_f),
          next: typeof window.next,
          violations: window.cspViolations.slice(),
        })`);
        expect(state).toEqual({ flight: true, next: 'object', violations: [] });
        // Failed loads are judged by URL, on their http line (the browser's own /favicon.ico probe may 404).
        expect(problems.filter((p) => !p.startsWith('console: Failed to load resource') && p !== 'http 404: /favicon.ico')).toEqual([]);

        // The policy is enforced: a script from another origin (a loopback address, so nothing
        // leaves the machine even if it weren't) is refused before it is fetched.
        const blocked = (await page.evaluate(`(async () => {
          const script = document.createElement('script');
          script.src = 'https://127.0.0.2:9/injected.js';
          document.head.append(script);
          await new Promise((r) => setTimeout(r, 200));
          return window.cspViolations;
        })()`)) as string[];
        expect(blocked.some((v) => v.startsWith('script-src') && v.includes('127.0.0.2'))).toBe(true);
      } finally {
        await browser.close();
      }
    });
  });

  // Last: stops the backends.
  describe('failover', () => {
    it('retries idempotent requests on the other replica when one is gone', async () => {
      backends[1].child.kill('SIGKILL');
      await backends[1].stop();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await https('/api/businesses?limit=1', { localAddress: '127.0.0.4' })).status);
      expect(statuses).toEqual(Array(8).fill(200));
    });

    it('answers a JSON 503 when no replica is left', async () => {
      await backends[0].stop();
      const res = await https('/api/businesses?limit=1', { localAddress: '127.0.0.5' });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expectSecurityHeaders(res);
      expect(edge.errorLog()).not.toMatch(/\[emerg\]/);
    });
  });
});
