import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { IExportTraceServiceResponse, ISerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeSpans } from './otlp-spans.encoder';

// Requests are written by encodeSpans; the collector's short reply is still read by the SDK's own
// decoder, since it may report a partial success, which the exporter logs.
const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => encodeSpans(spans),
  deserializeResponse: (bytes) => ProtobufTraceSerializer.deserializeResponse(bytes),
};

/**
 * @opentelemetry/exporter-trace-otlp-proto's exporter — the same OTLP/HTTP transport, with its
 * reading of the standard variables (endpoint, headers, timeout, compression), its retries and its
 * limit on concurrent exports — with the request encoded by encodeSpans, which writes the same
 * bytes without building the intermediate objects (otlp-spans.encoder.ts says what that saved).
 */
export class OtlpProtobufTraceExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor() {
    super(createOtlpHttpExportDelegate(convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }), serializer));
  }
}
