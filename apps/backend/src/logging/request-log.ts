import type { FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { JsonBytes } from './json-bytes';
import { safeUrl } from './redact';

export type RequestLogLevel = 'error' | 'warn' | 'info';

export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** pino's numbers for the request lines' levels. */
export const LEVEL_VALUES: Record<RequestLogLevel, number> = { info: 30, warn: 40, error: 50 };

// "000" to "999": the milliseconds of a timestamp.
const MILLIS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/**
 * ISO 8601 UTC timestamps in milliseconds, as Date#toISOString writes them, at a fraction of its
 * cost: V8 formats those through printf, which was a sixth of all a request line cost. The part up
 * to the seconds is formatted once per second.
 */
export class IsoTimestamps {
  private second = NaN;
  private prefix = '';
  private lastMs = NaN;
  private last = '';

  format(ms: number): string {
    // Several requests end in the same millisecond under load.
    if (ms === this.lastMs) return this.last;
    this.lastMs = ms;
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      // "2026-11-25T18:11:19." — Date's own formatting, once a second.
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return (this.last = `${this.prefix}${MILLIS[ms - second * 1000]}Z`);
  }
}

/** How long a request's line may wait to be written with the others. */
export const REQUEST_LOG_BATCH_MS = 50;

type Mixin = () => Record<string, unknown>;
interface Destination {
  write(lines: Buffer): void;
  lastLevel?: number;
  [pino.symbols.needsMetadataGsym]?: boolean;
}

/** Each key of a request line with the punctuation before it, encoded once. */
const KEYS = {
  id: Buffer.from(',"http.request.id":'),
  method: Buffer.from(',"http.request.method":'),
  route: Buffer.from(',"http.route":'),
  path: Buffer.from(',"url.path":'),
  status: Buffer.from(',"http.response.status_code":'),
  duration: Buffer.from(',"event.duration":'),
  userAgent: Buffer.from(',"user_agent.original":'),
  clientIp: Buffer.from(',"client.ip":'),
};
const COMPLETED = Buffer.from(',"message":"request completed"}\n');
const FAILED = Buffer.from(',"message":"request failed"}\n');

/** A line's start up to its timestamp, which ends with the quote after it. */
const LEVEL_HEADS: Record<RequestLogLevel, Buffer> = {
  info: Buffer.from('{"log.level":"info","@timestamp":"'),
  warn: Buffer.from('{"log.level":"warn","@timestamp":"'),
  error: Buffer.from('{"log.level":"error","@timestamp":"'),
};

/** How many masked URLs a writer remembers, and the longest it remembers (RequestLineWriter.safePath). */
const MASKED_URLS_KEPT = 1000;
const MASKED_URL_MAX_LENGTH = 256;

/**
 * The one ECS line per request, handed to the root logger's destination exactly as pino would hand
 * it (the root's bindings — service, ecs.version, pid, host —, its mixin's trace ids, the level
 * routing of LOG_DIR's files), but not as pino would make it.
 *
 * Each line is encoded into bytes when its request is answered (json-bytes.ts), while its fields
 * are at hand, and the lines leave together every REQUEST_LOG_BATCH_MS: one write per request, in
 * the middle of everything else a request does, cost several times the CPU of the line itself.
 * Pending lines are written at shutdown and at exit, so a line waits at most that long and is lost
 * only with the process (SIGKILL, OOM).
 *
 * Fields come from an allow-list: no header but the user agent, no cookie, no body, and the query
 * string's secret values masked by safeUrl, so pino's redaction would find nothing to do.
 */
export class RequestLineWriter {
  /** The quote closing a line's timestamp, then the root logger's bindings (`,"process.pid":…`), encoded once. */
  private readonly afterTimestamp: Buffer;
  /** The same followed by the request id's key: one copy per line when there are no trace ids. */
  private readonly afterTimestampToId: Buffer;
  private readonly mixin: Mixin | undefined;
  private readonly destination: Destination;
  private readonly timestamps = new IsoTimestamps();
  private readonly out = new JsonBytes();
  /** The level of the lines waiting in `out`: a multistream (LOG_DIR) routes each write by one level. */
  private pendingLevel: RequestLogLevel | undefined;
  private readonly maskedUrls = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(root: Logger) {
    const internals = root as unknown as Record<symbol, unknown>;
    this.afterTimestamp = Buffer.from(`"${internals[pino.symbols.chindingsSym] as string}`);
    this.afterTimestampToId = Buffer.concat([this.afterTimestamp, KEYS.id]);
    this.mixin = internals[pino.symbols.mixinSym] as Mixin | undefined;
    this.destination = internals[pino.symbols.streamSym] as Destination;
  }

  write(level: RequestLogLevel, request: FastifyRequest, route: string, status: number, elapsedMs: number): void {
    if (level !== this.pendingLevel) {
      if (this.pendingLevel !== undefined) this.emit(this.pendingLevel);
      this.pendingLevel = level;
    }
    const out = this.out;
    // Level, time and the logger's bindings, in pino's order. Only the time is new: at a few
    // requests per millisecond, a head encoded anew per millisecond cost as much as the rest.
    out.bytes(LEVEL_HEADS[level]);
    out.raw(this.timestamps.format(Date.now()));
    if (this.mixin) {
      out.bytes(this.afterTimestamp);
      // Trace ids belong to the request's context, which is active now.
      out.raw(this.traceFields(this.mixin()));
      out.bytes(KEYS.id);
    } else {
      out.bytes(this.afterTimestampToId);
    }
    // Request ids are plain tokens or UUIDs (request-id.ts), and Node's parser accepts only token
    // characters in a method; the string encoder escapes whatever else a field holds.
    out.string(request.id);
    out.bytes(KEYS.method);
    out.string(request.method);
    out.bytes(KEYS.route);
    out.string(route);
    out.bytes(KEYS.path);
    out.string(this.safePath(request.url));
    out.bytes(KEYS.status);
    out.integer(status);
    // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
    out.bytes(KEYS.duration);
    out.integer(Math.round(elapsedMs * 1e6));
    const userAgent = request.headers['user-agent'];
    if (userAgent !== undefined) {
      out.bytes(KEYS.userAgent);
      out.string(userAgent);
    }
    // Behind TRUST_PROXY this is the client, not the proxy (and comes from X-Forwarded-For).
    out.bytes(KEYS.clientIp);
    out.string(request.ip);
    out.bytes(level === 'error' ? FAILED : COMPLETED);
    // unref: lines waiting must not keep a stopping process alive; they are flushed on the way out.
    this.timer ??= setTimeout(this.flush, REQUEST_LOG_BATCH_MS).unref();
  }

  /** Writes the pending lines now (also at shutdown and at exit: createRootLogger). */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingLevel !== undefined) this.emit(this.pendingLevel);
  };

  private emit(level: RequestLogLevel): void {
    this.pendingLevel = undefined;
    if (this.destination[pino.symbols.needsMetadataGsym]) this.destination.lastLevel = LEVEL_VALUES[level];
    // A copy: the destination keeps it until written, and the buffer is reused at once.
    this.destination.write(this.out.take());
  }

  /**
   * The URL with its query secrets masked, remembered for short URLs: a popular page's URL comes
   * back request after request, and a map lookup costs a fraction of safeUrl's case-blind search of
   * the whole URL. At most MASKED_URLS_KEPT of them, so clients minting URLs can't grow it.
   */
  private safePath(url: string): string {
    let masked = this.maskedUrls.get(url);
    if (masked === undefined) {
      masked = safeUrl(url);
      if (url.length <= MASKED_URL_MAX_LENGTH) {
        if (this.maskedUrls.size >= MASKED_URLS_KEPT) this.maskedUrls.clear();
        this.maskedUrls.set(url, masked);
      }
    }
    return masked;
  }

  private traceFields(extra: Record<string, unknown>): string {
    let fields = '';
    // Trace and span ids are hex; anything else goes through JSON.
    for (const key in extra) fields += `,${JSON.stringify(key)}:${JSON.stringify(extra[key])}`;
    return fields;
  }
}
