import { spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, BACKEND_MAIN, ROOT, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

/** An in-memory OTLP/HTTP (JSON) collector on loopback: what the app exports lands in `spans`. */
async function otlpCollector(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body);
        for (const rs of payload.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                scope: ss.scope?.name,
                attributes: Object.fromEntries((s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]])),
              });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((r) => server.close(() => r())) };
}

describe.skipIf(await missing('postgres'))('OpenTelemetry traces of the built app', () => {
  let database: TestDatabase;
  let collector: Awaited<ReturnType<typeof otlpCollector>>;
  let app: AppProcess;

  beforeAll(async () => {
    [database, collector] = await Promise.all([createTestDatabase(), otlpCollector()]);
    app = await startApp({
      env: {
        DATABASE_URL: database.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1',
        OTEL_SERVICE_NAME: 'ecosyste-backend-test',
        LOG_LEVEL: 'info',
      },
      readyPath: '/health/ready',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([collector?.close(), database?.drop()]);
  });

  it('one trace runs from the HTTP request down to its SQL queries, and the log line carries its id', async () => {
    const res = await fetch(`${app.url}/api/businesses?q=tracing`, { headers: { 'x-request-id': 'trace-check-1' } });
    expect(res.status).toBe(200);
    // SIGTERM flushes the batch processor on the way out.
    expect(await app.stop()).toBe(0);

    const server = collector.spans.find((s) => s.scope === '@opentelemetry/instrumentation-http' && s.attributes['http.target'] === '/api/businesses?q=tracing');
    expect(server, 'no server span for the request').toBeDefined();
    const trace = collector.spans.filter((s) => s.traceId === server!.traceId);
    const queries = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.some((q) => String(q.attributes['db.statement']).includes('"businesses"'))).toBe(true);
    expect(trace.some((s) => s.scope === '@opentelemetry/instrumentation-nestjs-core')).toBe(true);

    // Every query span hangs, parent by parent, from the server span.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const q of queries) {
      let span: ReceivedSpan | undefined = q;
      while (span?.parentSpanId && span !== server) span = byId.get(span.parentSpanId);
      expect(span).toBe(server);
    }

    const line = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l['http.request.id'] === 'trace-check-1');
    expect(line['trace.id']).toBe(server!.traceId);
  });

  it('probes are not traced', async () => {
    expect(collector.spans.some((s) => String(s.attributes['http.target'] ?? '').startsWith('/health'))).toBe(false);
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT, instrument.ts loads none of the SDK', () => {
    const script = `require(${JSON.stringify(join(BACKEND_MAIN, '..', 'instrument.js'))});
      process.stdout.write(String(Object.keys(require.cache).filter((k) => k.includes('@opentelemetry') || k.includes('@fastify/otel')).length));`;
    const off = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(off.stdout).toBe('0');
    const on = spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
      encoding: 'utf8',
    });
    expect(Number(on.stdout)).toBeGreaterThan(10);
  });
});
