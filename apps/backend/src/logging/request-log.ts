import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { Batch } from '../common/batch';
import { routeLabel } from '../common/route-label';
import { safeUrl } from './redact';

export type RequestLogLevel = 'error' | 'warn' | 'info';

export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

const LEVEL_VALUES: Record<RequestLogLevel, number> = { info: 30, warn: 40, error: 50 };

/** How long a request's line may wait to be written with the others of its batch. */
export const REQUEST_LOG_BATCH_MS = 50;

type Mixin = () => Record<string, unknown>;
interface Destination {
  write(line: string): void;
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

/**
 * The one ECS line per request, handed to the root logger's destination exactly as pino would hand
 * it (the root's bindings — service, ecs.version, pid, host —, its mixin's trace ids, the level
 * routing of LOG_DIR's files), but not as pino would make it.
 *
 * A request only records its fields (a small object); the lines are serialised and written
 * together every REQUEST_LOG_BATCH_MS. One line at a time, in the middle of everything else a
 * request does, the same serialisation and write cost several times more CPU than in a batch —
 * more than the rest of a cached read's monitoring together. Batches are flushed at shutdown and
 * at exit, so a line waits at most that long and is lost only with the process (SIGKILL, OOM).
 *
 * Fields come from an allow-list: no header but the user agent, no cookie, no body, and the query
 * string's secret values masked by safeUrl, so pino's redaction would find nothing to do.
 */
export class RequestLineWriter {
  private readonly bindings: string;
  private readonly mixin: Mixin | undefined;
  private readonly destination: Destination;
  private readonly pending = new Batch<RequestRecord>(REQUEST_LOG_BATCH_MS, (records) => this.writeLines(records));
  private lastMs = 0;
  private lastIso = '';

  constructor(root: Logger) {
    const internals = root as unknown as Record<symbol, unknown>;
    this.bindings = internals[pino.symbols.chindingsSym] as string;
    this.mixin = internals[pino.symbols.mixinSym] as Mixin | undefined;
    this.destination = internals[pino.symbols.streamSym] as Destination;
  }

  write(level: RequestLogLevel, request: FastifyRequest, reply: FastifyReply): void {
    this.pending.push(
      new RequestRecord(
        level,
        Date.now(),
        // Trace ids belong to the request's context: taken now, while it is active.
        this.mixin ? this.traceFields(this.mixin()) : '',
        request.id,
        request.method,
        routeLabel(request),
        request.url,
        reply.statusCode,
        // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
        Math.round(reply.elapsedTime * 1e6),
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
    let text = '';
    let level = records[0].level;
    for (const record of records) {
      if (record.level !== level) {
        this.emit(level, text);
        text = '';
        level = record.level;
      }
      text += this.line(record);
    }
    this.emit(level, text);
  }

  private emit(level: RequestLogLevel, text: string): void {
    if (this.destination[pino.symbols.needsMetadataGsym]) this.destination.lastLevel = LEVEL_VALUES[level];
    this.destination.write(text);
  }

  private line(r: RequestRecord): string {
    return (
      `{"log.level":"${r.level}","@timestamp":"${this.timestamp(r.time)}"${this.bindings}${r.traceFields}` +
      `,"http.request.id":${JSON.stringify(r.id)}` +
      // Node's parser accepts only token characters in a method: nothing to escape.
      `,"http.request.method":"${r.method}"` +
      `,"http.route":${JSON.stringify(r.route)}` +
      `,"url.path":${JSON.stringify(safeUrl(r.url))}` +
      `,"http.response.status_code":${r.status}` +
      `,"event.duration":${r.durationNs}` +
      (r.userAgent === undefined ? '' : `,"user_agent.original":${JSON.stringify(r.userAgent)}`) +
      `,"client.ip":${JSON.stringify(r.ip)}` +
      `,"message":"${r.level === 'error' ? 'request failed' : 'request completed'}"}\n`
    );
  }

  private traceFields(extra: Record<string, unknown>): string {
    let fields = '';
    for (const key in extra) fields += `,${JSON.stringify(key)}:${JSON.stringify(extra[key])}`;
    return fields;
  }

  /** ECS's `@timestamp`, in milliseconds: many lines of a batch share one, formatted once. */
  private timestamp(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }
}
