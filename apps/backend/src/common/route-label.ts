import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** routeLabel's answer, kept for the request's other hooks (decorateRouteLabel). */
    matchedRoute: string | null;
  }
}

/** Every request that matched no route shares this label, so scanners can't mint new series. */
export const UNMATCHED_ROUTE = 'unmatched';

// Node's parser accepts a few dozen methods; anything outside the usual ones is folded into one value.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The matched route template (`/api/businesses/:id`), never the raw path. Metrics, the request log,
 * the status page's counts and the trace all ask for it; Fastify's `routeOptions` builds a new
 * object of a dozen fields at each read, so the first answer is kept on the request.
 */
export function routeLabel(request: FastifyRequest): string {
  if (request.matchedRoute) return request.matchedRoute;
  const label = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
  request.matchedRoute = label;
  return label;
}

/** Declares the request field routeLabel keeps its answer in, so every request object has one shape. */
export function decorateRouteLabel(fastify: FastifyInstance): void {
  fastify.decorateRequest('matchedRoute', null);
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

