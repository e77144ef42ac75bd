import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeLabel } from '../metrics/route-label';
import { safeUrl } from './redact';

/** One ECS line per request, built from an allow-list: headers, cookies and bodies never reach it. */
export function requestLogFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  return {
    'http.request.id': request.id,
    'http.request.method': request.method,
    'http.route': routeLabel(request),
    'url.path': safeUrl(request.url),
    'http.response.status_code': reply.statusCode,
    // ECS durations are nanoseconds; Fastify measures from the first byte of the request.
    'event.duration': Math.round(reply.elapsedTime * 1e6),
    'user_agent.original': request.headers['user-agent'],
    // Behind TRUST_PROXY this is the client, not the proxy.
    'client.ip': request.ip,
  };
}

export function requestLogLevel(status: number): 'error' | 'warn' | 'info' {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}
