/** What instrument.ts needs from the standard OpenTelemetry variables (validated again by the config). */
export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  sampler: string;
  ratio: number;
}

/** Undefined when no OTLP endpoint is configured: tracing then stays entirely unloaded. */
export function tracingOptionsFromEnv(env: NodeJS.ProcessEnv): TracingOptions | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '0.1');
  return {
    serviceName: env.OTEL_SERVICE_NAME || 'ecosyste-backend',
    serviceVersion: env.APP_VERSION || undefined,
    sampler: env.OTEL_TRACES_SAMPLER || 'parentbased_traceidratio',
    ratio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 0.1,
  };
}
