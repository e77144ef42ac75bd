import { Env, envSchema, presentValues } from '../config/config.schema';

/** What instrument.ts needs from the standard OpenTelemetry variables (validated again by the config). */
export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  sampler: string;
  ratio: number;
  /** How long ended spans wait for their batch (OTEL_BSP_SCHEDULE_DELAY). */
  batchDelayMs: number;
  /** OTLP/HTTP's encoding: protobuf (the specification's default) or JSON. */
  protocol: OtlpProtocol;
}

/** The encodings the configuration schema accepts for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL. */
export type OtlpProtocol = NonNullable<Env['OTEL_EXPORTER_OTLP_PROTOCOL']>;

// The SDK's default is 5 s: ~500 spans kept per batch at 100 sampled requests/s outlive the young
// generation and cost old-generation GC; leaving every 500 ms measured ~10 % less CPU per request.
const BATCH_DELAY_MS = 500;

/** Tracing is on when an OTLP endpoint is set and OTEL_SDK_DISABLED is not: instrument.ts and the config agree. */
export function tracingEnabled(e: Pick<Env, 'OTEL_SDK_DISABLED' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): boolean {
  return !e.OTEL_SDK_DISABLED && (e.OTEL_EXPORTER_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined;
}

// The variables instrument.ts needs, read by the configuration's own rules and defaults.
const tracingEnv = envSchema.pick({
  OTEL_EXPORTER_OTLP_ENDPOINT: true,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: true,
  OTEL_EXPORTER_OTLP_PROTOCOL: true,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: true,
  OTEL_SDK_DISABLED: true,
  OTEL_SERVICE_NAME: true,
  OTEL_TRACES_SAMPLER: true,
  OTEL_TRACES_SAMPLER_ARG: true,
  APP_VERSION: true,
});

/**
 * Undefined when tracing is off: it then stays entirely unloaded. Also undefined for an invalid
 * value, which the configuration then refuses with a message naming it (the app does not start).
 */
export function tracingOptionsFromEnv(env: NodeJS.ProcessEnv): TracingOptions | undefined {
  const parsed = tracingEnv.safeParse(presentValues(env));
  if (!parsed.success || !tracingEnabled(parsed.data)) return undefined;
  const e = parsed.data;
  // Not one of the app's variables: the SDK's own, read here for its default (see BATCH_DELAY_MS).
  const batchDelay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    serviceVersion: e.APP_VERSION,
    sampler: e.OTEL_TRACES_SAMPLER,
    ratio: e.OTEL_TRACES_SAMPLER_ARG,
    batchDelayMs: Number.isInteger(batchDelay) && batchDelay > 0 ? batchDelay : BATCH_DELAY_MS,
    // The signal's own variable first, then the general one, as the OTLP exporter specification says.
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
  };
}

/**
 * The share of new traces (requests without a caller's traceparent) that the server-span hook
 * samples itself, before any span exists, for the default sampler; undefined for the others, which
 * the SDK applies alone. Deciding first spares each unsampled request a trace id and a sampler call.
 */
export function hookRootRatio(sampler: string, ratio: number): number | undefined {
  return sampler === 'parentbased_traceidratio' ? ratio : undefined;
}
