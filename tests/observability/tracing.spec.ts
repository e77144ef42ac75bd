import { spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, BACKEND_MAIN, ROOT, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, queryOnce, TestDatabase } from '../helpers/test-database';

// The scope of the server spans (apps/backend/src/tracing/server-span.hook.ts).
const SERVER_SCOPE = '@ecosyste/backend-http';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
  /** Event name, then its attributes (an exception's type and message). */
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  status?: { code?: number };
}

type OtlpAttribute = { key: string; value: Record<string, unknown> };
const attributesOf = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));

// The OTLP messages as the exporter's own serialiser defines them (protobufjs, generated code).
const otlpProto = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtoMessage } } } } };
};
interface ProtoMessage {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: object): Record<string, unknown>;
}

/** An OTLP protobuf export as the JSON encoding writes it: ids in hex, integers as numbers. */
function protobufToJson(body: Buffer): { resourceSpans?: unknown[] } {
  const request = otlpProto.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const hexIds = (value: unknown, key = ''): unknown => {
    if (Array.isArray(value)) return value.map((v) => hexIds(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexIds(v, k)]));
    return /^(traceId|spanId|parentSpanId)$/.test(key) ? Buffer.from(String(value), 'base64').toString('hex') : value;
  };
  return hexIds(request.toObject(request.decode(body), { longs: Number, bytes: String })) as { resourceSpans?: unknown[] };
}

/** An in-memory OTLP/HTTP collector on loopback (protobuf or JSON): what the app exports lands in `spans`. */
async function otlpCollector(): Promise<{ url: string; spans: ReceivedSpan[]; contentTypes: Set<string | undefined>; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string | undefined>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = Buffer.concat(chunks);
        contentTypes.add(req.headers['content-type']);
        const payload = req.headers['content-type'] === 'application/x-protobuf' ? protobufToJson(body) : JSON.parse(body.toString());
        for (const rs of payload.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                scope: ss.scope?.name,
                attributes: attributesOf(s.attributes),
                events: (s.events ?? []).map((e: { name: string; attributes?: OtlpAttribute[] }) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
                status: s.status,
              });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, contentTypes, close: () => new Promise((r) => server.close(() => r())) };
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
    // A caller's sampled decision is kept: this request joins the caller's trace under its span.
    const caller = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) };
    const joined = await fetch(`${app.url}/api/businesses/00000000-0000-4000-8000-000000000000`, {
      headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
    });
    expect(joined.status).toBe(404);
    // …and so is an unsampled one, even at ratio 1.
    const dropped = await fetch(`${app.url}/api/businesses`, { headers: { traceparent: `00-${'e'.repeat(32)}-${caller.spanId}-00` } });
    expect(dropped.status).toBe(200);
    // A server error handled by the app's exception filter (a botched migration renamed the table).
    await queryOnce(database.url, 'ALTER TABLE businesses RENAME TO businesses_renamed');
    try {
      const failed = await fetch(`${app.url}/api/businesses?q=broken-table`);
      expect(failed.status).toBe(500);
    } finally {
      await queryOnce(database.url, 'ALTER TABLE businesses_renamed RENAME TO businesses');
    }
    // SIGTERM flushes the batch processor on the way out.
    expect(await app.stop()).toBe(0);

    // OTLP's default encoding, the only one Elastic's APM Server takes over HTTP.
    expect(collector.contentTypes).toEqual(new Set(['application/x-protobuf']));
    const server = collector.spans.find((s) => s.scope === SERVER_SCOPE && s.attributes['url.path'] === '/api/businesses' && !s.parentSpanId);
    expect(server, 'no server span for the request').toBeDefined();
    expect(server!.name).toBe('GET /api/businesses');
    expect(server!.attributes).toMatchObject({ 'http.route': '/api/businesses', 'http.request.method': 'GET', 'http.response.status_code': 200 });
    // The 500's span is failed and says why.
    const failedSpan = collector.spans.find((s) => s.scope === SERVER_SCOPE && s.attributes['http.response.status_code'] === 500);
    expect(failedSpan, 'no server span for the 500').toBeDefined();
    expect(failedSpan!.status?.code).toBe(2); // ERROR
    const exception = failedSpan!.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toMatch(/businesses/);
    // The query string may carry a token: it is not recorded.
    expect(JSON.stringify(collector.spans)).not.toContain('q=tracing');
    const trace = collector.spans.filter((s) => s.traceId === server!.traceId);
    const queries = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.some((q) => String(q.attributes['db.statement']).includes('"businesses"'))).toBe(true);

    // Every query span hangs, parent by parent, from the server span.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const q of queries) {
      let span: ReceivedSpan | undefined = q;
      while (span?.parentSpanId && span !== server) span = byId.get(span.parentSpanId);
      expect(span).toBe(server);
    }

    const child = collector.spans.find((s) => s.scope === SERVER_SCOPE && s.traceId === caller.traceId);
    expect(child, 'the sampled traceparent was not followed').toBeDefined();
    expect(child!.parentSpanId).toBe(caller.spanId);
    expect(child!.attributes).toMatchObject({ 'http.route': '/api/businesses/:id', 'http.response.status_code': 404 });
    expect(collector.spans.some((s) => s.traceId === 'e'.repeat(32))).toBe(false);

    const line = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l['http.request.id'] === 'trace-check-1');
    expect(line['trace.id']).toBe(server!.traceId);
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json exports the same spans as JSON', async () => {
    const json = await otlpCollector();
    const jsonApp = await startApp({
      env: { DATABASE_URL: database.url, OTEL_EXPORTER_OTLP_ENDPOINT: json.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER_ARG: '1' },
      readyPath: '/health/ready',
    });
    try {
      expect((await fetch(`${jsonApp.url}/api/businesses/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
      expect(await jsonApp.stop()).toBe(0);
      expect(json.contentTypes).toEqual(new Set(['application/json']));
      expect(json.spans.find((s) => s.scope === SERVER_SCOPE)).toMatchObject({ name: 'GET /api/businesses/:id', attributes: { 'http.response.status_code': 404 } });
    } finally {
      await jsonApp.stop();
      await json.close();
    }
  });

  it('probes are not traced', async () => {
    // startApp polled /health/ready until the app answered.
    expect(collector.spans.length).toBeGreaterThan(0);
    expect(collector.spans.some((s) => /\/health|\/metrics/.test(`${s.name} ${String(s.attributes['url.path'] ?? '')}`))).toBe(false);
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
