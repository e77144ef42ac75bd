import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.loader';
import { loggerOptions } from './logger.factory';

function capture(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino(loggerOptions(loadConfig({ NODE_ENV: 'test', ...env })), stream);
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('loggerOptions (ECS JSON)', () => {
  it('writes ECS fields once per line, also from child loggers', () => {
    const { logger, lines, parsed } = capture();
    logger.child({ 'http.request.id': 'r1' }).info({ 'http.route': '/x' }, 'hello');
    const [line] = parsed();
    expect(line).toMatchObject({ 'log.level': 'info', message: 'hello', 'http.request.id': 'r1', 'service.name': 'ecosyste-backend' });
    expect(line['@timestamp']).toEqual(expect.any(String));
    expect(lines[0].match(/"ecs\.version"/g)).toHaveLength(1);
  });

  it('scrubs secrets from messages, errors and well-known keys', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'pw-1', headers: { authorization: 'Bearer tk-2', cookie: 'sid=ck-3' } }, 'login');
    logger.error({ err: new Error('connect to postgresql://app:pw-4@db:5432/x failed') }, 'boom');
    logger.warn('retrying redis://:pw-5@cache:6379 with token=tk-6');
    const text = lines.join('\n');
    for (const secret of ['pw-1', 'tk-2', 'ck-3', 'pw-4', 'pw-5', 'tk-6']) expect(text).not.toContain(secret);
    expect(text).toContain('postgresql://[REDACTED]@db:5432/x');
    expect(text).toContain('"error":{"type":"Error"');
  });

  it('adds no trace fields when tracing is off', () => {
    const { logger, parsed } = capture();
    logger.info('x');
    expect(parsed()[0]).not.toHaveProperty('trace.id');
  });
});
