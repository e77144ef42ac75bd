import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.loader';
import { hookRootRatio, tracingOptionsFromEnv } from './tracing.options';
import { samplerFor } from './tracing.sdk';

describe('tracingOptionsFromEnv', () => {
  it('is undefined without an OTLP endpoint, so nothing is loaded', () => {
    expect(tracingOptionsFromEnv({})).toBeUndefined();
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });

  it('reads OTEL_SDK_DISABLED as the configuration does, so the SDK and the app agree on whether tracing is on', () => {
    for (const value of ['true', '1', 'yes']) {
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: value, NODE_ENV: 'test' };
      expect(tracingOptionsFromEnv(env), value).toBeUndefined();
      expect(loadConfig(env).tracing.enabled, value).toBe(false);
    }
    const on = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_SDK_DISABLED: 'false', NODE_ENV: 'test' };
    expect(tracingOptionsFromEnv(on)).toBeDefined();
    expect(loadConfig(on).tracing.enabled).toBe(true);
  });

  it('defaults to parent-based 10% sampling under the service name', () => {
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual({
      serviceName: 'ecosyste-backend',
      serviceVersion: undefined,
      sampler: 'parentbased_traceidratio',
      ratio: 0.1,
      batchDelayMs: 500,
      protocol: 'http/protobuf',
    });
    // An invalid value traces nothing; the configuration then refuses to start, naming it.
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '7' })).toBeUndefined();
  });

  it('exports OTLP protobuf unless JSON is asked for, the traces variable first, and refuses gRPC with a reason', () => {
    const protocol = (env: Record<string, string>) => tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...env })?.protocol;
    expect(protocol({})).toBe('http/protobuf');
    expect(protocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(protocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toBe('http/protobuf');
    expect(() => loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL.*http\/protobuf or http\/json.*Collector/,
    );
  });

  it('sends batches every 500 ms unless OTEL_BSP_SCHEDULE_DELAY says otherwise', () => {
    const delay = (value?: string) => tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_SCHEDULE_DELAY: value })?.batchDelayMs;
    expect(delay()).toBe(500);
    expect(delay('5000')).toBe(5000);
    expect(delay('soon')).toBe(500);
  });
});

describe('samplerFor', () => {
  const decide = (name: string, ratio: number, parentSampled?: boolean) => {
    const parent =
      parentSampled === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(context.active(), { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: parentSampled ? 1 : 0, isRemote: true });
    return samplerFor(name, ratio).shouldSample(parent, 'f'.repeat(32), 'GET', SpanKind.SERVER, {}, []).decision;
  };

  it('follows the caller: a sampled parent is kept even at ratio 0, an unsampled one dropped at ratio 1', () => {
    expect(decide('parentbased_traceidratio', 0, true)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide('parentbased_traceidratio', 1, false)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('samples new traces by ratio in the SDK, except for the default, whose ratio the server-span hook draws', () => {
    expect(decide('traceidratio', 1)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide('traceidratio', 0)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide('always_off', 1)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide('always_on', 0)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    // The hook only starts a root span for a request it sampled: the SDK takes it.
    expect(decide('parentbased_traceidratio', 0)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(hookRootRatio('parentbased_traceidratio', 0.1)).toBe(0.1);
    for (const other of ['traceidratio', 'always_on', 'always_off', 'parentbased_always_on', 'parentbased_always_off']) {
      expect(hookRootRatio(other, 0.1), other).toBeUndefined();
    }
  });
});
