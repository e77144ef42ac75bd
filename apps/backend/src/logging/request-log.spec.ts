import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { routeLabel } from '../common/route-label';
import { loadConfig } from '../config/config.loader';
import { byteDestination } from './log-destinations';
import { loggerOptions } from './logger.factory';
import { REQUEST_LOG_BATCH_MS, RequestLineWriter, requestLogLevel } from './request-log';

type Line = Record<string, unknown>;

function sink() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { stream, lines };
}

function request(overrides: Partial<{ method: string; url: string; userAgent: string | undefined; id: string; route: string; is404: boolean; ip: string }> = {}): FastifyRequest {
  const userAgent = 'userAgent' in overrides ? overrides.userAgent : 'agent/1.0';
  return {
    id: overrides.id ?? 'req-1',
    method: overrides.method ?? 'GET',
    url: overrides.url ?? '/api/businesses?limit=2',
    ip: overrides.ip ?? '203.0.113.7',
    headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
    is404: overrides.is404 ?? false,
    routeOptions: { url: overrides.route ?? '/api/businesses' },
  } as unknown as FastifyRequest;
}

/** What the response observer hands the writer: the request, its route label, its status, 1.5 ms. */
const answered = (req: FastifyRequest, status: number) => [req, routeLabel(req), status, 1.5] as const;

const withoutTime = ({ '@timestamp': time, ...rest }: Line) => (expect(time).toEqual(expect.any(String)), rest);

describe('RequestLineWriter', () => {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://app@db/app' });

  it('writes the line pino would write for the same fields', () => {
    const viaWriter = sink();
    const viaPino = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), viaWriter.stream));
    writer.write('info', ...answered(request(), 200));
    writer.flush();
    pino(loggerOptions(config), viaPino.stream).info(
      {
        'http.request.id': 'req-1',
        'http.request.method': 'GET',
        'http.route': '/api/businesses',
        'url.path': '/api/businesses?limit=2',
        'http.response.status_code': 200,
        'event.duration': 1_500_000,
        'user_agent.original': 'agent/1.0',
        'client.ip': '203.0.113.7',
      },
      'request completed',
    );
    expect(viaWriter.lines).toHaveLength(1);
    expect(withoutTime(viaWriter.lines[0])).toEqual(withoutTime(viaPino.lines[0]));
    expect(new Date(viaWriter.lines[0]['@timestamp'] as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('escapes what clients send, masks query secrets, and omits a missing user agent', () => {
    const out = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    // Behind TRUST_PROXY=true the address is whatever X-Forwarded-For said; accents arrive as latin1 header text.
    writer.write('warn', ...answered(request({ url: '/api/x?token=s3cret&q="a"\n\\b', userAgent: 'evil"\n{"log.level":"fatal"} café\u0007', route: 'unmatched', is404: true, ip: '1.2.3.4"}\n{"x":"' }), 404));
    writer.write('info', ...answered(request({ userAgent: undefined }), 200));
    writer.flush();
    const [escaped, anonymous] = out.lines;
    expect(out.lines).toHaveLength(2);
    expect(escaped).toMatchObject({
      'log.level': 'warn',
      'http.route': 'unmatched',
      'url.path': '/api/x?token=[REDACTED]&q="a"\n\\b',
      'user_agent.original': 'evil"\n{"log.level":"fatal"} café\u0007',
      'client.ip': '1.2.3.4"}\n{"x":"',
      message: 'request completed',
    });
    expect(anonymous).not.toHaveProperty('user_agent.original');
  });

  it('masks query secrets alike for a URL seen again and for more distinct URLs than it remembers', () => {
    const out = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    const urls = [...Array.from({ length: 1500 }, (_, i) => `/api/businesses?page=${i}&token=t${i}`), '/api/businesses?token=again', '/api/businesses?token=again'];
    urls.push(`/api/businesses?${'x'.repeat(300)}&token=long`, `/api/businesses?${'x'.repeat(300)}&token=long`);
    for (const url of urls) writer.write('info', ...answered(request({ url }), 200));
    writer.flush();
    expect(out.lines.map((l) => l['url.path'])).toEqual(urls.map((url) => url.replace(/token=[^&]*/, 'token=[REDACTED]')));
  });

  it('writes each line its own fields when URLs, agents and addresses repeat, change, or are more than it remembers', () => {
    const out = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    const cases: { method: string; route: string; status: number; userAgent: string; ip: string }[] = [];
    // One URL under three methods and routes, then more agents and addresses than are remembered,
    // some too long to be, and levels alternating within the same millisecond.
    for (const [method, route, status] of [['GET', '/api/businesses/:id', 200], ['HEAD', '/api/businesses/:id', 200], ['PROPFIND', 'unmatched', 404], ['GET', '/api/businesses/:id', 503]] as const) {
      cases.push({ method, route, status, userAgent: 'agent/1.0', ip: '203.0.113.7' });
    }
    for (let i = 0; i < 1200; i++) cases.push({ method: 'GET', route: '/api/businesses/:id', status: [200, 404, 500][i % 3], userAgent: `agent/${i % 1100}${i % 7 ? '' : 'x'.repeat(300)}`, ip: `10.0.${i % 1050 >> 8}.${i % 256}` });
    for (const c of cases) {
      const req = request({ method: c.method, url: '/api/businesses/42', userAgent: c.userAgent, ip: c.ip, route: c.route, is404: c.route === 'unmatched' });
      writer.write(requestLogLevel(c.status), ...answered(req, c.status));
    }
    writer.flush();
    expect(out.lines.map((l) => [l['log.level'], l['http.request.method'], l['http.route'], l['url.path'], l['http.response.status_code'], l['event.duration'], l['user_agent.original'], l['client.ip'], l.message])).toEqual(
      cases.map((c) => [requestLogLevel(c.status), c.method, c.route, '/api/businesses/42', c.status, 1_500_000, c.userAgent, c.ip, c.status >= 500 ? 'request failed' : 'request completed']),
    );
  });

  it('says "request failed" for server errors', () => {
    const out = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    writer.write(requestLogLevel(503), ...answered(request(), 503));
    writer.flush();
    expect(out.lines[0]).toMatchObject({ 'log.level': 'error', 'http.response.status_code': 503, message: 'request failed' });
  });

  it('writes any status it is handed: remembered for those Node can send, as JSON for anything else', () => {
    const out = sink();
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    for (const status of [999, 200, 999, 1000, Number.NaN]) writer.write('info', ...answered(request(), status));
    writer.flush();
    expect(out.lines.map((l) => l['http.response.status_code'])).toEqual([999, 200, 999, 1000, null]);
    expect(out.lines.every((l) => l['event.duration'] === 1_500_000)).toBe(true);
  });

  it('adds the mixin fields (trace ids when tracing is on) as they are when the request is answered', () => {
    const out = sink();
    let active = 'abc';
    const logger = pino({ ...loggerOptions(config), mixin: () => ({ 'trace.id': active, 'span.id': 'def' }) }, out.stream);
    const writer = new RequestLineWriter(logger);
    writer.write('info', ...answered(request(), 200));
    active = 'another-request';
    writer.flush();
    expect(out.lines[0]).toMatchObject({ 'trace.id': 'abc', 'span.id': 'def', 'http.request.id': 'req-1' });
  });

  it('writes a batch of lines together, on its own within REQUEST_LOG_BATCH_MS, in the order of the requests', async () => {
    const out = sink();
    const writes: string[] = [];
    const writer = new RequestLineWriter(pino(loggerOptions(config), out.stream));
    const original = out.stream.write.bind(out.stream);
    out.stream.write = ((chunk: string) => (writes.push(chunk), original(chunk))) as typeof out.stream.write;
    for (let i = 0; i < 50; i++) writer.write('info', ...answered(request({ id: `r${i}` }), 200));
    expect(out.lines).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, REQUEST_LOG_BATCH_MS * 3));
    expect(out.lines.map((l) => l['http.request.id'])).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(writes).toHaveLength(1);
  });

  it('routes by level through a multistream, as LOG_DIR does: errors to the error file too', () => {
    const all = sink();
    const errors = sink();
    const logger: Logger = pino(
      loggerOptions(config),
      pino.multistream([
        { level: 'info', stream: all.stream },
        { level: 'error', stream: errors.stream },
      ]),
    );
    const writer = new RequestLineWriter(logger);
    writer.write('info', ...answered(request({ id: 'ok' }), 200));
    writer.write('error', ...answered(request({ id: 'bad' }), 500));
    writer.write('warn', ...answered(request({ id: 'meh' }), 404));
    writer.flush();
    expect(all.lines.map((l) => l['http.request.id'])).toEqual(['ok', 'bad', 'meh']);
    expect(errors.lines.map((l) => l['http.request.id'])).toEqual(['bad']);
  });

  it('reuses its batches\' buffers with SonicBoom only once they are written: every line intact, in order, among pino\'s own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'request-log-'));
    const file = join(dir, 'out.log');
    try {
      const destination = byteDestination(file, { minLength: 4096, maxWrite: 1 << 20 });
      const logger = pino(loggerOptions(config), destination);
      const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
      const writer = new RequestLineWriter(logger);
      const expected: string[] = [];
      const emitter = destination as unknown as EventEmitter;
      let drained = once(emitter, 'drain');
      emitter.on('drain', () => (drained = once(emitter, 'drain')));
      for (let batch = 0; batch < 200; batch++) {
        for (let i = 0; i < 50; i++) {
          const id = `b${batch}-${i}`;
          expected.push(id);
          writer.write('info', ...answered(request({ id }), 200));
        }
        writer.flush();
        if (batch % 10 === 0) {
          logger.info(`between batches ${batch}`);
          expected.push(`between batches ${batch}`);
        }
        // Every fourth batch, SonicBoom writes out all it holds; in between, batches queue behind each other.
        if (batch % 4 === 3) await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000))]);
      }
      const made = allocations.mock.calls.length;
      allocations.mockRestore();
      // SonicBoom writes what it holds, then closes.
      const closed = once(destination as unknown as EventEmitter, 'close');
      (destination as unknown as { end(): void }).end();
      await closed;
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Line);
      expect(lines.map((l) => (l.message === 'request completed' ? l['http.request.id'] : l.message))).toEqual(expected);
      // Reused, not one new buffer per batch.
      expect(made).toBeLessThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
