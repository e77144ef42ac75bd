import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import Fastify, { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceServerRequests } from './server-span.hook';
import { hookRootRatio } from './tracing.options';
import { samplerFor } from './tracing.sdk';

const CALLER = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
const traceparent = (sampled: boolean) => `00-${CALLER.traceId}-${CALLER.spanId}-0${sampled ? 1 : 0}`;

/**
 * A Fastify app traced at a given ratio, whose handlers do what pg and ioredis do with
 * requireParentSpan: open a child span only when the active context holds one.
 */
async function tracedApp(ratio: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: samplerFor('parentbased_traceidratio', ratio),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const app: FastifyInstance = Fastify();
  traceServerRequests(app, { tracer: provider.getTracer('test'), rootRatio: hookRootRatio('parentbased_traceidratio', ratio) });
  const activeInLaterHooks: (string | undefined)[] = [];
  app.addHook('onResponse', (_request, _reply, done) => {
    activeInLaterHooks.push(trace.getActiveSpan()?.spanContext().traceId);
    done();
  });
  const query = async (): Promise<boolean> => {
    // Asynchronous hops between the hook and the "query", as in Nest's pipeline.
    await new Promise((r) => setImmediate(r));
    if (!trace.getSpan(context.active())) return false;
    provider.getTracer('pg').startSpan('pg.query:SELECT', { kind: SpanKind.CLIENT }).end();
    return true;
  };
  app.get('/items/:id', async () => ({ queried: await query() }));
  app.post('/items', async (request) => ({ queried: await query(), body: request.body }));
  app.get('/boom', async () => {
    throw new Error('kaboom');
  });
  app.get('/health/ready', async () => ({ queried: await query() }));
  // Real sockets, not inject(): a body's events and the response's 'finish' then come from the
  // connection, outside the request's context, as in production.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const send = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
    return { statusCode: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  // A body in two parts, the second one later: its 'end' event comes from the socket alone.
  const sendSlowly = (path: string, body: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 50);
    });
  return { send, sendSlowly, spans: () => exporter.getFinishedSpans(), activeInLaterHooks, close: () => Promise.all([app.close(), provider.shutdown()]) };
}

describe('traceServerRequests', () => {
  // What instrument.ts installs: the AsyncLocalStorage context manager and the W3C propagator.
  beforeAll(() => new NodeTracerProvider().register());
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('at ratio 0 an unsampled request records nothing and leaves no span for pg or ioredis to hang from', async () => {
    const t = await tracedApp(0);
    for (let i = 0; i < 20; i++) {
      expect((await t.send(`/items/${i}`)).body).toEqual({ queried: false });
    }
    const unsampledCaller = await t.send('/items/1', { headers: { traceparent: traceparent(false) } });
    expect(unsampledCaller.body).toEqual({ queried: false });
    expect(t.spans()).toEqual([]);
    await t.close();
  });

  it('samples that ratio of new traces, each with its whole work, and no span at all for the others', async () => {
    const t = await tracedApp(0.5);
    const queried: boolean[] = [];
    for (let i = 0; i < 200; i++) queried.push((await t.send(`/items/${i}`)).body.queried as boolean);
    const servers = t.spans().filter((s) => s.kind === SpanKind.SERVER);
    // Binomial(200, 0.5): 60–140 is more than five standard deviations either side.
    expect(servers.length).toBeGreaterThan(60);
    expect(servers.length).toBeLessThan(140);
    expect(queried.filter(Boolean)).toHaveLength(servers.length);
    expect(t.spans()).toHaveLength(2 * servers.length);
    await t.close();
  });

  it('at ratio 0 a sampled caller is still followed: its trace, under its span', async () => {
    const t = await tracedApp(0);
    const res = await t.send('/items/7', { headers: { traceparent: traceparent(true) } });
    expect(res.body).toEqual({ queried: true });
    const [query, server] = t.spans();
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(CALLER.traceId);
    expect(server.parentSpanContext?.spanId).toBe(CALLER.spanId);
    expect(query.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    await t.close();
  });

  it('at ratio 1 each request is a SERVER span named by its route, the parent of the work done for it', async () => {
    const t = await tracedApp(1);
    await t.send('/items/42?token=secret', { headers: { 'user-agent': 'vitest' } });
    const [query, server] = t.spans();
    expect(server.name).toBe('GET /items/:id');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'url.path': '/items/42',
      'http.response.status_code': 200,
      'user_agent.original': 'vitest',
    });
    expect(JSON.stringify(server.attributes)).not.toContain('secret');
    expect(query.name).toBe('pg.query:SELECT');
    expect(query.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(query.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    // The request log line, written by a later onResponse hook, sees the request's span.
    expect(t.activeInLaterHooks).toEqual([server.spanContext().traceId]);
    await t.close();
  });

  it('keeps the context through a request body, which arrives outside it', async () => {
    const t = await tracedApp(1);
    const res = await t.sendSlowly('/items', JSON.stringify({ name: 'posted' }));
    expect(res).toEqual({ queried: true, body: { name: 'posted' } });
    const [query, server] = t.spans();
    expect(server.name).toBe('POST /items');
    expect(query.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    await t.close();
  });

  it('marks a 5xx failed with its exception, and leaves probes and unmatched paths out or unnamed', async () => {
    const t = await tracedApp(1);
    expect((await t.send('/boom')).statusCode).toBe(500);
    expect((await t.send('/health/ready')).body).toEqual({ queried: false });
    expect((await t.send('/wp-login.php')).statusCode).toBe(404);
    const [boom, unmatched] = t.spans();
    expect(t.spans()).toHaveLength(2);
    expect(boom.status.code).toBe(SpanStatusCode.ERROR);
    expect(boom.events.map((e) => e.name)).toEqual(['exception']);
    expect(unmatched.name).toBe('GET');
    expect(unmatched.attributes['http.route']).toBeUndefined();
    await t.close();
  });
});
