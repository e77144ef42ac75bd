import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import { routeLabel } from '../metrics/route-label';
import { safeUrl } from './redact';

export type RequestLogLevel = 'error' | 'warn' | 'info';

export function requestLogLevel(status: number): RequestLogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

const LEVEL_VALUES: Record<RequestLogLevel, number> = { info: 30, warn: 40, error: 50 };

type Mixin = () => Record<string, unknown>;
interface Destination {
  write(line: string): void;
  lastLevel?: number;
  [pino.symbols.needsMetadataGsym]?: boolean;
}

/**
 * The one ECS line per request, serialised by hand and handed to the root logger's destination
 * exactly as pino would hand it (the root's bindings — service, ecs.version, pid, host —, its
 * mixin's trace ids, the level routing of LOG_DIR's files). Through pino's generic path (object
 * walk, ECS formatters, redaction paths, the message hook) this line cost more than everything
 * else a cached read's monitoring does; here it is a string concatenation.
 *
 * Its fields come from an allow-list: no header but the user agent, no cookie, no body, and the
 * query string's secret values masked by safeUrl, so pino's redaction would find nothing to do.
 */
export class RequestLineWriter {
  private readonly bindings: string;
  private readonly mixin: Mixin | undefined;
  private readonly destination: Destination;
  private lastMs = 0;
  private lastIso = '';

  constructor(root: Logger) {
    const internals = root as unknown as Record<symbol, unknown>;
    this.bindings = internals[pino.symbols.chindingsSym] as string;
    this.mixin = internals[pino.symbols.mixinSym] as Mixin | undefined;
    this.destination = internals[pino.symbols.streamSym] as Destination;
  }

  write(level: RequestLogLevel, request: FastifyRequest, reply: FastifyReply): void {
    let line = `{"log.level":"${level}","@timestamp":"${this.timestamp()}"${this.bindings}`;
    if (this.mixin) {
      const extra = this.mixin();
      for (const key in extra) line += `,${JSON.stringify(key)}:${JSON.stringify(extra[key])}`;
    }
    const userAgent = request.headers['user-agent'];
    line +=
      `,"http.request.id":${JSON.stringify(request.id)}` +
      // Node's parser accepts only token characters in a method: nothing to escape.
      `,"http.request.method":"${request.method}"` +
      `,"http.route":${JSON.stringify(routeLabel(request))}` +
      `,"url.path":${JSON.stringify(safeUrl(request.url))}` +
      `,"http.response.status_code":${reply.statusCode}` +
      // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
      `,"event.duration":${Math.round(reply.elapsedTime * 1e6)}` +
      (userAgent === undefined ? '' : `,"user_agent.original":${JSON.stringify(userAgent)}`) +
      // Behind TRUST_PROXY this is the client, not the proxy.
      `,"client.ip":${JSON.stringify(request.ip)}` +
      `,"message":"${level === 'error' ? 'request failed' : 'request completed'}"}\n`;
    // A multistream (LOG_DIR's files) routes each line by the level pino tells it.
    if (this.destination[pino.symbols.needsMetadataGsym]) this.destination.lastLevel = LEVEL_VALUES[level];
    this.destination.write(line);
  }

  /** ECS's `@timestamp`, in milliseconds: under load many lines share one, formatted once. */
  private timestamp(): string {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }
}
