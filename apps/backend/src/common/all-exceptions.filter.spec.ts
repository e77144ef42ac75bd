import { ArgumentsHost, Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AllExceptionsFilter } from './all-exceptions.filter';

function host(url: string) {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    sent: false,
    header: () => reply,
    status: (code: number) => ((sent.status = code), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  const args = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ method: 'POST', url }) }) } as unknown as ArgumentsHost;
  return { args, sent };
}

describe('AllExceptionsFilter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs a 5xx with the query string masked, never the secret the client sent', () => {
    const logged: unknown[] = [];
    vi.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void logged.push(...args));
    vi.spyOn(Logger.prototype, 'warn').mockImplementation((...args: unknown[]) => void logged.push(...args));
    const outage = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    for (const exception of [new Error('a bug'), outage]) {
      const { args, sent } = host('/api/alerts/webhook?token=s3cret-tok&q=1');
      new AllExceptionsFilter().catch(exception, args);
      expect(sent.status).toBeGreaterThanOrEqual(500);
    }
    const text = JSON.stringify(logged);
    expect(text).toContain('token=[REDACTED]&q=1');
    expect(text).not.toContain('s3cret-tok');
  });
});
