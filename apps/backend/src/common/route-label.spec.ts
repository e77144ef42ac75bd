import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { routeLabel, UNMATCHED_ROUTE } from './route-label';

function request(url: string | undefined, is404: boolean): FastifyRequest & { reads: number } {
  const r = {
    reads: 0,
    matchedRoute: null,
    is404,
    get routeOptions() {
      r.reads++;
      return { url };
    },
  };
  return r as unknown as FastifyRequest & { reads: number };
}

describe('routeLabel', () => {
  it('is the route template, read from Fastify once per request however many hooks ask', () => {
    const r = request('/api/businesses/:id', false);
    expect([routeLabel(r), routeLabel(r), routeLabel(r)]).toEqual(['/api/businesses/:id', '/api/businesses/:id', '/api/businesses/:id']);
    expect(r.reads).toBe(1);
  });

  it('is one shared value for every request that matched no route', () => {
    expect(routeLabel(request(undefined, true))).toBe(UNMATCHED_ROUTE);
    expect(routeLabel(request('/*', true))).toBe(UNMATCHED_ROUTE);
    expect(routeLabel(request(undefined, false))).toBe(UNMATCHED_ROUTE);
  });
});
