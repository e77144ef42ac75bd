import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.loader';

describe('rate limit and CORS configuration', () => {
  it('defaults to 1000 requests a minute per client synced every 100 ms, off under NODE_ENV=test', () => {
    const prod = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u@h/db' });
    expect(prod.security.rateLimit).toEqual({ max: 1000, ttlSeconds: 60, syncMs: 100 });
    expect(loadConfig({ RATE_LIMIT_SYNC_MS: '0' }).security.rateLimit.syncMs).toBe(0);
    expect(loadConfig({}).security.rateLimit.max).toBe(1000);
    expect(loadConfig({ NODE_ENV: 'test' }).security.rateLimit.max).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test', RATE_LIMIT_MAX: '7' }).security.rateLimit.max).toBe(7);
    expect(loadConfig({ RATE_LIMIT_MAX: '0' }).security.rateLimit.max).toBe(0);
  });

  it.each([
    [{ RATE_LIMIT_MAX: '-1' }, 'RATE_LIMIT_MAX="-1"'],
    [{ RATE_LIMIT_TTL_SECONDS: '0' }, 'RATE_LIMIT_TTL_SECONDS="0"'],
    [{ RATE_LIMIT_SYNC_MS: '-5' }, 'RATE_LIMIT_SYNC_MS="-5"'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS="*"'],
    [{ CORS_ORIGINS: 'https://ecosyste.com/app' }, 'CORS_ORIGINS'],
  ])('refuses %j with a line naming the variable', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(expected);
  });

  it('takes an explicit origin list only', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://ecosyste.com,http://localhost:3000' }).security.corsOrigins).toEqual([
      'https://ecosyste.com',
      'http://localhost:3000',
    ]);
  });
});
