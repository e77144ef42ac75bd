import type { FastifyRequest } from 'fastify';

/** Every request that matched no route shares this label, so scanners can't mint new series. */
export const UNMATCHED_ROUTE = 'unmatched';

// Node's parser accepts a few dozen methods; anything outside the usual ones is folded into one value.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The matched route template (`/api/businesses/:id`), never the raw path. */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return UNMATCHED_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/**
 * Probes and scrapes are left out of the HTTP series: a readiness 503 during a rolling restart
 * would otherwise count as a server error in HighErrorRate, and 10-second scrapes would dominate
 * the request rate of a quiet instance.
 */
export function isInfrastructureRoute(route: string): boolean {
  return route === '/metrics' || route === '/health' || route.startsWith('/health/');
}

