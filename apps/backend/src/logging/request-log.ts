import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { isInfrastructurePath, routeLabel, UNMATCHED_ROUTE } from '../metrics/route-label';
import { safeUrl } from './redact';
import { fastifyRequestOf } from './request-context.hook';

/** One ECS line per request, built from an allow-list: headers, cookies and bodies never reach it. */
function requestFields(req: IncomingMessage, res: ServerResponse, durationMs: number): Record<string, unknown> {
  const request = fastifyRequestOf(req);
  return {
    'http.request.method': req.method,
    'http.route': request ? routeLabel(request) : UNMATCHED_ROUTE,
    'url.path': safeUrl((req as { originalUrl?: string }).originalUrl ?? req.url ?? ''),
    'http.response.status_code': res.statusCode,
    // ECS durations are nanoseconds.
    'event.duration': Math.round(durationMs * 1e6),
    'user_agent.original': req.headers['user-agent'],
    'client.ip': request?.ip ?? req.socket?.remoteAddress,
  };
}

/** pino-http options: the request log line, its level, and what is left out. */
export function requestLogOptions(): Options {
  return {
    customAttributeKeys: { reqId: 'http.request.id', responseTime: 'event.duration' },
    // Only the request id is bound to the request's logger; no req/res serialisation per request.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessObject: (req, res, value) => requestFields(req, res, (value as { 'event.duration': number })['event.duration']),
    customErrorObject: (req, res, error, value) => ({
      ...requestFields(req, res, (value as { 'event.duration': number })['event.duration']),
      err: error,
    }),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    autoLogging: {
      // Probes and scrapes every few seconds would drown the useful lines.
      // Middie strips the mount path from req.url; originalUrl keeps the whole path.
      ignore: (req) => isInfrastructurePath((req as { originalUrl?: string }).originalUrl ?? req.url),
    },
  };
}
