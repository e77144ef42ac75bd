import { Attributes, context, createTraceState, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodeSpans } from './otlp-spans.encoder';
import { ProtobufWriter } from './protobuf-writer';

// The SDK's serialiser is the reference: the same spans must give the same bytes.
const reference = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array());

// A writer that starts tiny, so every batch also goes through the buffer's growth.
const tinyWriter = () => new ProtobufWriter(16);

/** Spans as the app makes them: a server span with its attributes and a client span under it. */
function recordedSpans(resource: Resource, count: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const server = provider.getTracer('@ecosyste/backend-http');
  const redis = provider.getTracer('@opentelemetry/instrumentation-ioredis', '0.57.0');
  const pg = provider.getTracer('@opentelemetry/instrumentation-pg', '0.61.2', { schemaUrl: 'https://opentelemetry.io/schemas/1.27.0' });
  for (let i = 0; i < count; i++) {
    const span = server.startSpan(`GET /api/businesses/:id`, { kind: SpanKind.SERVER });
    span.setAttributes({
      'http.request.method': 'GET',
      'url.path': `/api/businesses/${i}`,
      'client.address': '127.0.0.1',
      'user_agent.original': i % 2 ? 'Mozilla/5.0 (X11; Linux x86_64) Chromium/131' : 'curl/8.11 « été » 漢字 🚀',
    });
    const ctx = trace.setSpan(context.active(), span);
    redis.startSpan('get', { kind: SpanKind.CLIENT, attributes: { 'db.statement': `get business:${i}`, 'net.peer.port': 6379 } }, ctx).end();
    const query = pg.startSpan('pg.query:SELECT', { kind: SpanKind.CLIENT }, ctx);
    query.setAttribute('db.statement', 'SELECT * FROM "businesses" WHERE id = $1 '.repeat(1 + (i % 50)));
    if (i % 3 === 0) query.recordException(new Error(`relation "businesses" does not exist (${i})`));
    query.setStatus({ code: i % 3 === 0 ? SpanStatusCode.ERROR : SpanStatusCode.OK, message: i % 3 === 0 ? 'failed' : undefined });
    query.end();
    span.addEvent('handled', { 'cache.hit': i % 2 === 0, ratio: i / 7, retries: i - 50 });
    span.setAttribute('http.response.status_code', 200 + (i % 3) * 100);
    span.end();
  }
  return exporter.getFinishedSpans();
}

const ids = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

/** A span made by hand, for what the SDK's own spans never carry (links, odd attribute values). */
function handMade(overrides: Partial<ReadableSpan> & { attributes?: Attributes | Record<string, unknown> }): ReadableSpan {
  return {
    name: 'hand-made',
    kind: SpanKind.INTERNAL,
    spanContext: () => ({ ...ids, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: undefined,
    startTime: [1_764_160_000, 123_456_789],
    endTime: [1_764_160_001, 999_999_999],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    duration: [1, 876_543_210],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'hand' }),
    instrumentationScope: { name: 'hand-scope' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  } as ReadableSpan;
}

describe('encodeSpans', () => {
  it("writes the SDK serialiser's bytes for the app's spans, grouped by resource and scope", () => {
    const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': 'ecosyste-backend', 'service.version': '1.4.0' }));
    const spans = recordedSpans(resource, 300);
    expect(spans.length).toBe(900);
    const bytes = encodeSpans(spans, tinyWriter());
    expect(bytes.length).toBeGreaterThan(200_000);
    expect(bytes.equals(reference(spans))).toBe(true);
  });

  it('keeps two resources apart, and merges two tracers of the same scope', () => {
    const a = recordedSpans(resourceFromAttributes({ 'service.name': 'a' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }), 3);
    const b = recordedSpans(resourceFromAttributes({ 'service.name': 'b', 'host.cpus': 2 }), 2);
    // Interleaved, as a batch holding several providers' spans would be.
    const mixed = [a[0], b[0], a[1], b[1], ...a.slice(2), ...b.slice(2)];
    expect(encodeSpans(mixed, tinyWriter()).equals(reference(mixed))).toBe(true);
  });

  it('encodes parents, remote parents, trace state, links, events and statuses as the SDK does', () => {
    const remoteParent = { traceId: ids.traceId, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const spans = [
      handMade({ kind: SpanKind.SERVER, parentSpanContext: remoteParent }),
      handMade({
        kind: SpanKind.CONSUMER,
        parentSpanContext: { ...remoteParent, isRemote: false },
        spanContext: () => ({ ...ids, traceFlags: TraceFlags.NONE, traceState: createTraceState('vendor=a1,other=b2') }),
        status: { code: SpanStatusCode.ERROR, message: 'échec: « timeout »' },
        links: [
          { context: { ...remoteParent, traceState: createTraceState('k=v') }, attributes: { reason: 'retry' } },
          { context: { ...remoteParent, isRemote: false }, droppedAttributesCount: 3 },
        ],
        events: [{ name: 'no attributes', time: [1_764_160_000, 5], droppedAttributesCount: 2 }],
        droppedAttributesCount: 1,
        droppedEventsCount: 2,
        droppedLinksCount: 3,
      }),
      handMade({ kind: SpanKind.PRODUCER, status: { code: SpanStatusCode.OK } }),
    ];
    expect(encodeSpans(spans, tinyWriter()).equals(reference(spans))).toBe(true);
  });

  it('encodes every kind of attribute value as the SDK does', () => {
    const attributes = {
      empty: '',
      ascii127: 'x'.repeat(127),
      ascii128: 'x'.repeat(128),
      long: 'é'.repeat(20_000),
      zero: 0,
      negativeZero: -0,
      small: 1,
      negative: -1,
      int32: 2 ** 31,
      negative53: -(2 ** 53 - 1),
      large: 2 ** 53 - 1,
      beyond64: 2 ** 70,
      double: 0.1,
      nan: Number.NaN,
      infinity: Number.POSITIVE_INFINITY,
      true: true,
      false: false,
      strings: ['a', 'b', null, 'c'],
      numbers: [1, 2.5, -3],
      bools: [true, false],
      emptyArray: [],
      bytes: new Uint8Array([0, 1, 254, 255]),
      nested: { key: 'value', inner: { count: 3 }, list: [1, 'x'] },
      missing: undefined,
      nothing: null,
    };
    const spans = [handMade({ attributes: attributes as unknown as Attributes, events: [{ name: 'with attributes', time: [0, 0], attributes: attributes as unknown as Attributes }] })];
    expect(encodeSpans(spans, tinyWriter()).equals(reference(spans))).toBe(true);
  });

  it('encodes the start and end times exactly, nanoseconds past 2^53 included', () => {
    const times: Array<[number, number]> = [
      [0, 0],
      [0, 999_999_999],
      [1, 0],
      [65_535, 999_999_999],
      [65_536, 1],
      [1_764_160_000, 123_456_789],
      [4_102_444_800, 999_999_999], // 2100-01-01
    ];
    for (let i = 0; i < 200; i++) times.push([Math.floor(Math.random() * 5e9), Math.floor(Math.random() * 1e9)]);
    const spans = times.map((t) => handMade({ startTime: t, endTime: t }));
    expect(encodeSpans(spans, tinyWriter()).equals(reference(spans))).toBe(true);
  });

  it('starts each batch afresh after one that failed half-way', () => {
    const writer = tinyWriter();
    const good = [handMade({ name: 'after the failure' })];
    // A scope without a name cannot be written: the batch throws after its first bytes.
    const broken = [handMade({ instrumentationScope: { name: undefined as unknown as string } })];
    expect(() => encodeSpans(broken, writer)).toThrow();
    expect(encodeSpans(good, writer).equals(reference(good))).toBe(true);
  });

  it('writes nothing for no spans, like the SDK', () => {
    expect(encodeSpans([]).length).toBe(0);
    expect(reference([]).length).toBe(0);
  });

  it('writes a lone surrogate as U+FFFD, where the SDK writes bytes that are not UTF-8', () => {
    const span = handMade({ name: 'broken \ud800 pair' });
    const decoded = decodeRequest(encodeSpans([span]));
    expect(decoded.resourceSpans[0].scopeSpans[0].spans[0].name).toBe('broken \ufffd pair');
  });
});

type DecodedRequest = { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> };

function decodeRequest(bytes: Uint8Array): DecodedRequest {
  // The OTLP messages as the SDK's serialiser defines them (protobufjs, generated code).
  const root = createRequire(__filename)('@opentelemetry/otlp-transformer/build/src/generated/root');
  return root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(bytes) as DecodedRequest;
}
