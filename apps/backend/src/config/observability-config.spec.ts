import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.loader';

describe('observability configuration', () => {
  it('defaults: metrics on and open, info logs (pretty only in development), 500 ms checks, 10 s drain, tracing off', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.metrics).toEqual({ enabled: true, token: undefined });
    expect(config.logging.level).toBe('info');
    expect(config.logging.pretty).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).logging.pretty).toBe(true);
    expect(config.health.timeoutMs).toBe(500);
    expect(config.shutdown.timeoutMs).toBe(10_000);
    expect(config.tracing.enabled).toBe(false);
  });

  it('parses every variable', () => {
    const config = loadConfig({
      METRICS_ENABLED: 'false',
      METRICS_TOKEN: 'a-scrape-token-of-16+',
      LOG_LEVEL: 'silent',
      LOG_FORMAT: 'json',
      LOG_DIR: '/tmp/x-logs',
      HEALTH_EXTERNAL_URLS: 'https://a.example/health, http://b.example',
      HEALTH_DISK_MAX_PERCENT: '80',
      HEALTH_HEAP_MAX_MB: '100',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config.metrics).toEqual({ enabled: false, token: 'a-scrape-token-of-16+' });
    expect(config.logging).toMatchObject({ level: 'silent', pretty: false, dir: '/tmp/x-logs' });
    expect(config.health.externalUrls).toEqual(['https://a.example/health', 'http://b.example']);
    expect(config.health.diskMaxRatio).toBe(0.8);
    expect(config.health.heapMaxBytes).toBe(100 * 1024 * 1024);
    expect(config.tracing).toMatchObject({ enabled: true, sampler: 'parentbased_traceidratio', samplerRatio: 0.25 });
  });

  it.each([
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL="verbose"'],
    [{ METRICS_ENABLED: 'maybe' }, 'METRICS_ENABLED="maybe"'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN=(hidden)'],
    [{ HEALTH_EXTERNAL_URLS: 'ftp://x' }, 'HEALTH_EXTERNAL_URLS=(hidden)'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG="1.5"'],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER="sometimes"'],
    [{ SHUTDOWN_TIMEOUT_MS: '5' }, 'SHUTDOWN_TIMEOUT_MS="5"'],
  ])('refuses %j naming the variable', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(expected);
  });
});
