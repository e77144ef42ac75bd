import type { FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { Batch } from '../common/batch';
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

  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      // "2026-11-25T18:11:19." — Date's own formatting, once a second.
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return `${this.prefix}${MILLIS[ms - second * 1000]}Z`;
  }
}

/** How long a request's line may wait to be written with the others of its batch. */
export const REQUEST_LOG_BATCH_MS = 50;

type Mixin = () => Record<string, unknown>;
interface Destination {
  write(lines: Buffer): void;
  lastLevel?: number;
  [pino.symbols.needsMetadataGsym]?: boolean;
}

/** What a request's line says, taken when it is answered; serialised later, with its batch. */
class RequestRecord {
  constructor(
    readonly level: RequestLogLevel,
    readonly time: number,
    readonly traceFields: string,
    readonly id: string,
    readonly method: string,
    readonly route: string,
    readonly url: string,
    readonly status: number,
    readonly durationNs: number,
    readonly userAgent: string | undefined,
    readonly ip: string,
  ) {}
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

/**
 * The one ECS line per request, handed to the root logger's destination exactly as pino would hand
 * it (the root's bindings — service, ecs.version, pid, host —, its mixin's trace ids, the level
 * routing of LOG_DIR's files), but not as pino would make it.
 *
 * A request only records its fields (a small object); the lines are encoded and written together
 * every REQUEST_LOG_BATCH_MS. One line at a time, in the middle of everything else a request does,
 * the same work and write cost several times more CPU than in a batch — more than the rest of a
 * cached read's monitoring together. Batches are flushed at shutdown and at exit, so a line waits
 * at most that long and is lost only with the process (SIGKILL, OOM).
 *
 * Fields come from an allow-list: no header but the user agent, no cookie, no body, and the query
 * string's secret values masked by safeUrl, so pino's redaction would find nothing to do.
 */
export class RequestLineWriter {
  private readonly bindings: string;
  private readonly mixin: Mixin | undefined;
  private readonly destination: Destination;
  private readonly pending = new Batch<RequestRecord>(REQUEST_LOG_BATCH_MS, (records) => this.writeLines(records));
  private readonly timestamps = new IsoTimestamps();
  private readonly out = new JsonBytes();
  private headMs = -1;
  private headLevel: RequestLogLevel = 'info';
  private headBytes = Buffer.alloc(0);

  constructor(root: Logger) {
    const internals = root as unknown as Record<symbol, unknown>;
    this.bindings = internals[pino.symbols.chindingsSym] as string;
    this.mixin = internals[pino.symbols.mixinSym] as Mixin | undefined;
    this.destination = internals[pino.symbols.streamSym] as Destination;
  }

  write(level: RequestLogLevel, request: FastifyRequest, route: string, status: number, elapsedMs: number): void {
    this.pending.push(
      new RequestRecord(
        level,
        Date.now(),
        // Trace ids belong to the request's context: taken now, while it is active.
        this.mixin ? this.traceFields(this.mixin()) : '',
        request.id,
        request.method,
        route,
        request.url,
        status,
        // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
        Math.round(elapsedMs * 1e6),
        request.headers['user-agent'],
        // Behind TRUST_PROXY this is the client, not the proxy.
        request.ip,
      ),
    );
  }

  /** Writes the pending lines now (also at shutdown and at exit: createRootLogger). */
  flush(): void {
    this.pending.flush();
  }

  private writeLines(records: RequestRecord[]): void {
    // Consecutive lines of one level leave in one write; a multistream (LOG_DIR's files) routes
    // each write by the level pino tells it.
    let level = records[0].level;
    for (const record of records) {
      if (record.level !== level) {
        this.emit(level);
        level = record.level;
      }
      this.append(record);
    }
    this.emit(level);
  }

  private append(r: RequestRecord): void {
    const out = this.out;
    // Level, time and the logger's bindings: shared by the lines of one millisecond, kept encoded.
    out.bytes(this.head(r.level, r.time));
    out.raw(r.traceFields);
    // Request ids are plain tokens or UUIDs (request-id.ts), and Node's parser accepts only token
    // characters in a method; the string encoder escapes whatever else a field holds.
    out.bytes(KEYS.id);
    out.string(r.id);
    out.bytes(KEYS.method);
    out.string(r.method);
    out.bytes(KEYS.route);
    out.string(r.route);
    out.bytes(KEYS.path);
    out.string(safeUrl(r.url));
    out.bytes(KEYS.status);
    out.integer(r.status);
    out.bytes(KEYS.duration);
    out.integer(r.durationNs);
    if (r.userAgent !== undefined) {
      out.bytes(KEYS.userAgent);
      out.string(r.userAgent);
    }
    // Behind TRUST_PROXY=true this comes from X-Forwarded-For as the client wrote it.
    out.bytes(KEYS.clientIp);
    out.string(r.ip);
    out.bytes(r.level === 'error' ? FAILED : COMPLETED);
  }

  private emit(level: RequestLogLevel): void {
    if (this.destination[pino.symbols.needsMetadataGsym]) this.destination.lastLevel = LEVEL_VALUES[level];
    // A copy: the destination keeps it until written, and the buffer is reused at once.
    this.destination.write(this.out.take());
  }

  private head(level: RequestLogLevel, ms: number): Buffer {
    if (ms !== this.headMs || level !== this.headLevel) {
      this.headMs = ms;
      this.headLevel = level;
      this.headBytes = Buffer.from(`{"log.level":"${level}","@timestamp":"${this.timestamps.format(ms)}"${this.bindings}`);
    }
    return this.headBytes;
  }

  private traceFields(extra: Record<string, unknown>): string {
    let fields = '';
    // Trace and span ids are hex; anything else goes through JSON.
    for (const key in extra) fields += `,${JSON.stringify(key)}:${JSON.stringify(extra[key])}`;
    return fields;
  }
}
