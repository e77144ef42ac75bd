import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.loader';
import { envSchema } from './config.schema';

describe('loadConfig', () => {
  it('applies the documented defaults: port 3001, embedded database, in-memory cache', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.server.port).toBe(3001);
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.security.adminToken).toBeUndefined();
    expect(config.server.bodyLimitBytes).toBe(1024 * 1024);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it.each([
    [{ PORT: 'notaport' }, 'PORT="notaport"'],
    [{ PORT: '70000' }, 'PORT="70000"'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV="staging"'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL=(hidden)'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL=(hidden)'],
    [{ API_ADMIN_TOKEN: 'short' }, 'API_ADMIN_TOKEN=(hidden)'],
    [{ SERVE_FRONTEND: 'maybe' }, 'SERVE_FRONTEND="maybe"'],
  ])('stops on %j with one line naming the variable', (env, expected) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('never prints a secret value', () => {
    expect(() => loadConfig({ API_ADMIN_TOKEN: 'tooshort' })).toThrow(/API_ADMIN_TOKEN=\(hidden\)/);
    expect(() => loadConfig({ API_ADMIN_TOKEN: 'tooshort' })).not.toThrow(/tooshort/);
  });

  it('requires DATABASE_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('DATABASE_URL=(unset): required when NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u@h/db' }).database.url).toBe('postgresql://u@h/db');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' }).redis.url).toBeUndefined();
    expect(loadConfig({ PORT: '' }).server.port).toBe(3001);
  });

  it('parses booleans, lists and the trusted proxies', () => {
    const config = loadConfig({ SERVE_FRONTEND: 'true', CORS_ORIGINS: 'https://a.fr, https://b.fr', TRUST_PROXY: '10.0.0.0/8,127.0.0.1' });
    expect(config.frontend.serve).toBe(true);
    expect(config.security.corsOrigins).toEqual(['https://a.fr', 'https://b.fr']);
    expect(config.server.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ TRUST_PROXY: '1' }).server.trustProxy).toBe(1);
    expect(loadConfig({}).server.trustProxy).toBe(false);
  });
});

describe('tracing switch', () => {
  it('follows the OpenTelemetry variables as instrument.ts does', () => {
    expect(loadConfig({}).tracing.enabled).toBe(false);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing.enabled).toBe(true);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).tracing.enabled).toBe(true);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing.enabled).toBe(false);
  });
});

describe('.env.example', () => {
  it('documents every variable the schema reads', () => {
    const example = readFileSync(join(__dirname, '..', '..', '..', '..', '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const undocumented = Object.keys(envSchema.shape).filter((name) => !documented.has(name));
    expect(undocumented).toEqual([]);
  });
});
