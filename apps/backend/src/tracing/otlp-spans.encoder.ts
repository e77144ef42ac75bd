import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ProtobufWriter, WireType } from './protobuf-writer';

/**
 * A batch of ended spans as an OTLP ExportTraceServiceRequest in protobuf, the same bytes the
 * OpenTelemetry exporter's serialiser produces (otlp-spans.encoder.spec.ts compares them) without
 * its intermediate objects: that serialiser first converts every span into an OTLP-shaped object
 * tree (ids into byte arrays, times into BigInts and long-bit pairs, attributes into key/value
 * objects), then protobufjs queues an operation per field. In isolation this takes about a third of
 * that CPU per span; in the app at 100 % sampling, ~9 % less per request
 * (bench/results/otlp-encoder-2026-11-26.md).
 *
 * Spans are grouped as the SDK groups them: by resource, then by instrumentation scope (name,
 * version and schema URL), each in the order first seen.
 */
export function encodeSpans(spans: readonly ReadableSpan[], writer: ProtobufWriter = sharedWriter): Buffer {
  // The writer is shared: a batch that failed half-way (a span with a malformed field) must not
  // leave its bytes in front of the next one.
  writer.clear();
  const groups = groupByResourceAndScope(spans);
  const written = new Array<boolean>(groups.length).fill(false);
  for (let g = 0; g < groups.length; g++) {
    if (written[g]) continue;
    const resource = groups[g].resource;
    // ExportTraceServiceRequest.resource_spans (1): a ResourceSpans
    writer.key(1, WireType.LengthDelimited);
    const resourceSpans = writer.begin(3);
    writeResource(writer, resource);
    for (let h = g; h < groups.length; h++) {
      if (written[h] || groups[h].resource !== resource) continue;
      written[h] = true;
      // ResourceSpans.scope_spans (2)
      writer.key(2, WireType.LengthDelimited);
      const scopeSpans = writer.begin(3);
      writeScopeSpans(writer, groups[h].spans);
      writer.end(scopeSpans, 3);
    }
    const schemaUrl = resource.schemaUrl;
    if (schemaUrl) {
      // ResourceSpans.schema_url (3)
      writer.key(3, WireType.LengthDelimited);
      writer.string(schemaUrl);
    }
    writer.end(resourceSpans, 3);
  }
  return writer.take();
}

// Exports run one at a time on the event loop, and take() copies out what each one wrote.
const sharedWriter = new ProtobufWriter();

interface SpanGroup {
  resource: Resource;
  scopeKey: string;
  spans: ReadableSpan[];
}

function groupByResourceAndScope(spans: readonly ReadableSpan[]): SpanGroup[] {
  const groups: SpanGroup[] = [];
  // A batch holds a handful of scopes (the server's, pg's, ioredis's), so a linear search is enough.
  let last: SpanGroup | undefined;
  for (const span of spans) {
    const scopeKey = scopeKeyOf(span.instrumentationScope);
    if (last === undefined || last.resource !== span.resource || last.scopeKey !== scopeKey) {
      last = groups.find((g) => g.resource === span.resource && g.scopeKey === scopeKey);
      if (last === undefined) {
        last = { resource: span.resource, scopeKey, spans: [] };
        groups.push(last);
      }
    }
    last.spans.push(span);
  }
  return groups;
}

type Scope = ReadableSpan['instrumentationScope'];

// A tracer hands the same scope object to every span it makes: its key is computed once.
const scopeKeys = new WeakMap<Scope, string>();

function scopeKeyOf(scope: Scope): string {
  let key = scopeKeys.get(scope);
  if (key === undefined) {
    key = `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
    scopeKeys.set(scope, key);
  }
  return key;
}

function writeResource(writer: ProtobufWriter, resource: Resource): void {
  // ResourceSpans.resource (1): a Resource
  writer.key(1, WireType.LengthDelimited);
  const start = writer.begin(2);
  // Resource.attributes (1), Resource.dropped_attributes_count (2)
  writeAttributes(writer, 1, resource.attributes);
  writer.key(2, WireType.Varint);
  writer.uint32(0);
  writer.end(start, 2);
}

function writeScopeSpans(writer: ProtobufWriter, spans: ReadableSpan[]): void {
  const scope = spans[0].instrumentationScope;
  // ScopeSpans.scope (1): an InstrumentationScope with its name (1) and version (2)
  writer.key(1, WireType.LengthDelimited);
  const start = writer.begin();
  writer.key(1, WireType.LengthDelimited);
  writer.string(scope.name);
  if (scope.version != null) {
    writer.key(2, WireType.LengthDelimited);
    writer.string(scope.version);
  }
  writer.end(start);
  // ScopeSpans.spans (2)
  for (const span of spans) {
    writer.key(2, WireType.LengthDelimited);
    const spanStart = writer.begin(2);
    writeSpan(writer, span);
    writer.end(spanStart, 2);
  }
  if (scope.schemaUrl != null) {
    // ScopeSpans.schema_url (3)
    writer.key(3, WireType.LengthDelimited);
    writer.string(scope.schemaUrl);
  }
}

/** The Span message's fields in field-number order, as protobufjs writes them (explicit zeros included). */
function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  writeSpanContextIds(writer, context);
  const parentSpanId = span.parentSpanContext?.spanId;
  if (parentSpanId) {
    writer.key(4, WireType.LengthDelimited);
    writer.hexBytes(parentSpanId);
  }
  writer.key(5, WireType.LengthDelimited);
  writer.string(span.name);
  // The API's kinds start at INTERNAL = 0; OTLP keeps 0 for "unspecified".
  writer.key(6, WireType.Varint);
  writer.uint32(span.kind == null ? 0 : span.kind + 1);
  writer.key(7, WireType.Fixed64);
  writeHrTime(writer, span.startTime);
  writer.key(8, WireType.Fixed64);
  writeHrTime(writer, span.endTime);
  writeAttributes(writer, 9, span.attributes);
  writer.key(10, WireType.Varint);
  writer.uint32(span.droppedAttributesCount);
  for (const event of span.events) {
    writer.key(11, WireType.LengthDelimited);
    const start = writer.begin();
    writeEvent(writer, event);
    writer.end(start);
  }
  writer.key(12, WireType.Varint);
  writer.uint32(span.droppedEventsCount);
  for (const link of span.links) {
    writer.key(13, WireType.LengthDelimited);
    const start = writer.begin();
    writeLink(writer, link);
    writer.end(start);
  }
  writer.key(14, WireType.Varint);
  writer.uint32(span.droppedLinksCount);
  // Span.status (15): its message (2) when set, then its code (3), which the API numbers as OTLP does.
  writer.key(15, WireType.LengthDelimited);
  const status = writer.begin();
  if (span.status.message != null) {
    writer.key(2, WireType.LengthDelimited);
    writer.string(span.status.message);
  }
  writer.key(3, WireType.Varint);
  writer.uint32(span.status.code);
  writer.end(status);
  writer.key(16, WireType.Fixed32);
  writer.fixed32(spanFlags(context.traceFlags, span.parentSpanContext?.isRemote));
}

/** trace_id (1), span_id (2) and, when there is one, trace_state (3): the same fields in Span and Link. */
function writeSpanContextIds(writer: ProtobufWriter, context: SpanContext): void {
  writer.key(1, WireType.LengthDelimited);
  writer.hexBytes(context.traceId);
  writer.key(2, WireType.LengthDelimited);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState != null) {
    writer.key(3, WireType.LengthDelimited);
    writer.string(traceState);
  }
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.key(1, WireType.Fixed64);
  writeHrTime(writer, event.time);
  writer.key(2, WireType.LengthDelimited);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, 3, event.attributes);
  writer.key(4, WireType.Varint);
  writer.uint32(event.droppedAttributesCount || 0);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  writeSpanContextIds(writer, link.context);
  if (link.attributes) writeAttributes(writer, 4, link.attributes);
  writer.key(5, WireType.Varint);
  writer.uint32(link.droppedAttributesCount || 0);
  writer.key(6, WireType.Fixed32);
  writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
}

// OTLP's span flags: the W3C trace flags in the low byte, then "whether the parent is remote is
// known" (0x100) and "the parent is remote" (0x200).
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** Each attribute as a KeyValue in `field`, in the object's key order. */
function writeAttributes(writer: ProtobufWriter, field: number, attributes: Attributes | Record<string, unknown>): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    writer.key(field, WireType.LengthDelimited);
    const start = writer.begin();
    writeKeyValue(writer, key, attributes[key]);
    writer.end(start);
  }
}

function writeKeyValue(writer: ProtobufWriter, key: string, value: unknown): void {
  // KeyValue.key (1), KeyValue.value (2): an AnyValue
  writer.key(1, WireType.LengthDelimited);
  writer.string(key);
  writer.key(2, WireType.LengthDelimited);
  const start = writer.begin();
  writeAnyValue(writer, value);
  writer.end(start);
}

/** AnyValue's one field for the value's type; nothing for null or undefined (an empty AnyValue). */
function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.key(1, WireType.LengthDelimited);
      writer.string(value);
      return;
    case 'boolean':
      writer.key(2, WireType.Varint);
      writer.bool(value);
      return;
    case 'number':
      if (Number.isInteger(value)) {
        writer.key(3, WireType.Varint);
        writer.int64(value);
      } else {
        writer.key(4, WireType.Fixed64);
        writer.double(value);
      }
      return;
  }
  if (value instanceof Uint8Array) {
    writer.key(7, WireType.LengthDelimited);
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    // AnyValue.array_value (5): an ArrayValue of AnyValues (1)
    writer.key(5, WireType.LengthDelimited);
    const start = writer.begin();
    for (const item of value) {
      writer.key(1, WireType.LengthDelimited);
      const itemStart = writer.begin();
      writeAnyValue(writer, item);
      writer.end(itemStart);
    }
    writer.end(start);
  } else if (typeof value === 'object' && value !== null) {
    // AnyValue.kvlist_value (6): a KeyValueList of KeyValues (1)
    writer.key(6, WireType.LengthDelimited);
    const start = writer.begin();
    for (const [key, item] of Object.entries(value)) {
      writer.key(1, WireType.LengthDelimited);
      const itemStart = writer.begin();
      writeKeyValue(writer, key, item);
      writer.end(itemStart);
    }
    writer.end(start);
  }
}

/**
 * fixed64 nanoseconds since the epoch from [seconds, nanoseconds], as two 32-bit halves: the product
 * passes 2^53, so it is computed in parts that each stay exact (no BigInt per timestamp).
 */
function writeHrTime(writer: ProtobufWriter, time: HrTime): void {
  const seconds = Math.trunc(time[0]);
  const nanos = Math.trunc(time[1]);
  // seconds × 10⁹ + nanos = (high × 2^16) + low, with seconds split at 2^16
  const secondsLow = seconds % 0x10000;
  const high = ((seconds - secondsLow) / 0x10000) * 1e9;
  const low = secondsLow * 1e9 + nanos;
  // high × 2^16 = highHigh × 2^32 + highLow × 2^16
  const highLow = high % 0x10000;
  const sum = highLow * 0x10000 + low;
  const low32 = sum % 0x100000000;
  writer.fixed64(low32, (high - highLow) / 0x10000 + (sum - low32) / 0x100000000);
}
