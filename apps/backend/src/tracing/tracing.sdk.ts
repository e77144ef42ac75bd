import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  Sampler,
  SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { OtlpProtobufTraceExporter } from './otlp-protobuf.exporter';
import { hookRootRatio, TracingOptions } from './tracing.options';

/**
 * The standard OTEL_TRACES_SAMPLER values. The default, parentbased_traceidratio, follows the
 * caller's decision and samples a ratio of new traces — that ratio is drawn by the server-span
 * hook (hookRootRatio) before it starts a span, so the SDK samples every root span it is handed.
 * pg and ioredis only make spans under a parent, so no other root span exists.
 */
export function samplerFor(name: string, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    default:
      return new ParentBasedSampler({ root: hookRootRatio(name, ratio) === undefined ? new TraceIdRatioBasedSampler(ratio) : new AlwaysOnSampler() });
  }
}

/**
 * OTLP over HTTP to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, with the exporters' own reading of the
 * standard variables (headers, timeout, compression). Protobuf unless JSON is asked for: it is the
 * specification's default, Elastic's APM Server accepts nothing else over HTTP, and it is the
 * smaller payload — encoded by our own encoder (otlp-spans.encoder.ts), the same bytes as the SDK's.
 */
function otlpExporter(options: TracingOptions): SpanExporter {
  return options.protocol === 'http/json' ? new JsonTraceExporter() : new OtlpProtobufTraceExporter();
}

/**
 * Only pg and ioredis are patched. The server span is made by server-span.hook.ts from Fastify's
 * hooks rather than by instrumentation-http and -nestjs-core, which together cost ~155 µs of CPU on
 * every request, sampled or not (more than serving a cached read). pg and ioredis need a parent
 * span, so an unsampled request (no span in its context) costs them nothing either. Spans leave in
 * batches, off the request path.
 */
export function startTracing(options: TracingOptions, exporter: SpanExporter = otlpExporter(options)): () => Promise<void> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    sampler: samplerFor(options.sampler, options.ratio),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.batchDelayMs })],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return () => provider.shutdown();
}
