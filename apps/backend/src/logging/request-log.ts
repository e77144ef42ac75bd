import type { FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { BatchBuffers } from './batch-buffers';
import { FragmentMemo } from './fragment-memo';
import { JsonBytes } from './json-bytes';
import { LineHead } from './line-head';
import { writeProgressOf } from './log-destinations';
import { safeUrl } from './redact';

export type RequestLogLevel = 'error' | 'warn' | 'info';

export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/** pino's numbers for the request lines' levels. */
export const LEVEL_VALUES: Record<RequestLogLevel, number> = { info: 30, warn: 40, error: 50 };

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

/** How many of each fragment (URLs, user agents, client addresses) a writer remembers, and the longest text it remembers one for. */
const FRAGMENTS_KEPT = 1000;
const FRAGMENT_TEXT_MAX_LENGTH = 256;

/** `,"http.response.status_code":<status>,"event.duration":` for each status Node can send (100–999), made when first met. */
const STATUS_FRAGMENTS: (Buffer | undefined)[] = [];

function statusFragment(status: number): Buffer {
  const kept = Number.isInteger(status) && status >= 100 && status <= 999;
  let fragment = kept ? STATUS_FRAGMENTS[status] : undefined;
  if (fragment === undefined) {
    // JSON.stringify writes anything else as a JSON value too (NaN as null), as the line always did.
    fragment = Buffer.from(`${KEYS.status.toString()}${JSON.stringify(status)}${KEYS.duration.toString()}`);
    if (kept) STATUS_FRAGMENTS[status] = fragment;
  }
  return fragment;
}

/** A fragment of a line, encoded once into bytes of its own. */
function encodeFragment(write: (out: JsonBytes) => void): Buffer {
  const out = new JsonBytes(256);
  write(out);
  return out.take();
}

/** A URL's method, route and masked path fields (`,"http.request.method":…,"url.path":…`). */
interface UrlFields {
  method: string;
  route: string;
  bytes: Buffer;
}

function encodeUrlFields(method: string, route: string, url: string): UrlFields {
  const bytes = encodeFragment((out) => {
    out.bytes(KEYS.method);
    out.string(method);
    out.bytes(KEYS.route);
    out.string(route);
    out.bytes(KEYS.path);
    out.string(safeUrl(url));
  });
  return { method, route, bytes };
}

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
 * Most of a line repeats from one request to the next: the head within a millisecond (LineHead),
 * the fields of a URL, a status, a user agent, a client address. Those are copied in as fragments
 * encoded once (FragmentMemo); only the request id and the duration are encoded for every line. A
 * line costs about half what encoding each field did.
 *
 * Fields come from an allow-list: no header but the user agent, no cookie, no body, and the query
 * string's secret values masked by safeUrl, so pino's redaction would find nothing to do.
 */
export class RequestLineWriter {
  private readonly mixin: Mixin | undefined;
  private readonly destination: Destination;
  private readonly out = new JsonBytes();
  /** Buffers for the batches, reused once written, when the destination says how far it has got. */
  private readonly batches: BatchBuffers | undefined;
  /** The level of the lines waiting in `out`: a multistream (LOG_DIR) routes each write by one level. */
  private pendingLevel: RequestLogLevel | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Each level's line start up to the request id's value (or to the trace ids): see LineHead. */
  private readonly heads: Record<RequestLogLevel, LineHead>;
  private readonly urls = new FragmentMemo<UrlFields>(FRAGMENTS_KEPT, FRAGMENT_TEXT_MAX_LENGTH);
  private readonly userAgents = new FragmentMemo<Buffer>(FRAGMENTS_KEPT, FRAGMENT_TEXT_MAX_LENGTH);
  /** A client address and the end of a completed request's line. */
  private readonly completedTails = new FragmentMemo<Buffer>(FRAGMENTS_KEPT, FRAGMENT_TEXT_MAX_LENGTH);

  constructor(root: Logger) {
    const internals = root as unknown as Record<symbol, unknown>;
    this.mixin = internals[pino.symbols.mixinSym] as Mixin | undefined;
    // The quote closing the timestamp, the root logger's bindings (`,"process.pid":…`), and the
    // request id's key when no trace ids come between them.
    const bindings = Buffer.from(`"${internals[pino.symbols.chindingsSym] as string}`);
    const end = this.mixin ? bindings : Buffer.concat([bindings, KEYS.id]);
    this.heads = { info: new LineHead(LEVEL_HEADS.info, end), warn: new LineHead(LEVEL_HEADS.warn, end), error: new LineHead(LEVEL_HEADS.error, end) };
    this.destination = internals[pino.symbols.streamSym] as Destination;
    const progress = writeProgressOf(this.destination);
    this.batches = progress && new BatchBuffers(progress);
  }

  write(level: RequestLogLevel, request: FastifyRequest, route: string, status: number, elapsedMs: number): void {
    if (level !== this.pendingLevel) {
      if (this.pendingLevel !== undefined) this.emit(this.pendingLevel);
      this.pendingLevel = level;
    }
    const out = this.out;
    // Level, time and the logger's bindings, in pino's order.
    out.bytes(this.heads[level].at(Date.now()));
    if (this.mixin) {
      // Trace ids belong to the request's context, which is active now.
      out.raw(this.traceFields(this.mixin()));
      out.bytes(KEYS.id);
    }
    // Request ids are plain tokens or UUIDs (request-id.ts), and Node's parser accepts only token
    // characters in a method; the string encoder escapes whatever else a field holds.
    out.string(request.id);
    out.bytes(this.urlFields(request.method, route, request.url));
    out.bytes(statusFragment(status));
    // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
    out.integer(Math.round(elapsedMs * 1e6));
    const userAgent = request.headers['user-agent'];
    if (userAgent !== undefined) out.bytes(this.userAgents.find(userAgent) ?? this.userAgents.keep(userAgent, encodeUserAgent(userAgent)));
    // Behind TRUST_PROXY this is the client, not the proxy (and comes from X-Forwarded-For).
    out.bytes(this.tail(level, request.ip));
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
    const batches = this.batches;
    // The destination keeps what it is given until written: a buffer of its own, or a copy.
    if (batches === undefined) return this.destination.write(this.out.take());
    const length = this.out.length;
    const filled = this.out.replaceBuffer(batches.next(this.out.capacity));
    this.destination.write(filled.subarray(0, length));
    batches.handedOff(filled);
  }

  /**
   * The URL's fields with its query secrets masked, remembered for short URLs: a popular page's URL
   * comes back request after request, and a copy costs a fraction of safeUrl's case-blind search of
   * the URL and the fields' encoding. The same URL with another method or route (a HEAD, a 404 for
   * an unknown method) is encoded anew.
   */
  private urlFields(method: string, route: string, url: string): Buffer {
    const known = this.urls.find(url) ?? this.urls.keep(url, encodeUrlFields(method, route, url));
    return known.method === method && known.route === route ? known.bytes : encodeUrlFields(method, route, url).bytes;
  }

  /** The client address and the line's end; remembered for completed requests only, the usual kind. */
  private tail(level: RequestLogLevel, clientIp: string): Buffer {
    if (level === 'error') return encodeTail(clientIp, FAILED);
    return this.completedTails.find(clientIp) ?? this.completedTails.keep(clientIp, encodeTail(clientIp, COMPLETED));
  }

  private traceFields(extra: Record<string, unknown>): string {
    let fields = '';
    // Trace and span ids are hex; anything else goes through JSON.
    for (const key in extra) fields += `,${JSON.stringify(key)}:${JSON.stringify(extra[key])}`;
    return fields;
  }
}

function encodeUserAgent(userAgent: string): Buffer {
  return encodeFragment((out) => {
    out.bytes(KEYS.userAgent);
    out.string(userAgent);
  });
}

function encodeTail(clientIp: string, end: Buffer): Buffer {
  return encodeFragment((out) => {
    out.bytes(KEYS.clientIp);
    out.string(clientIp);
    out.bytes(end);
  });
}
