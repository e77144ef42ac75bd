import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeLabel } from './route-label';

/** Told about every response once it is sent: its route label, status and duration. */
export type ResponseObserver = (request: FastifyRequest, route: string, status: number, elapsedMs: number) => void;

const OBSERVERS = Symbol('responseObservers');

type Observed = FastifyInstance & { [OBSERVERS]?: ResponseObserver[] };

/**
 * Adds an observer of finished responses (the status page's counts, the HTTP metrics, the request
 * log). They share one onResponse hook, which reads the route, the status and the duration once
 * for all of them: three hooks of their own cost each request three passes of Fastify's hook
 * runner and as many reads of each.
 *
 * The hook is added with the first observer, during the modules' initialisation: after the
 * tracing hook (app.factory.ts), which must end a request's span and restore its context first.
 */
export function observeResponses(fastify: FastifyInstance, observer: ResponseObserver): void {
  const observed = fastify as Observed;
  let observers = observed[OBSERVERS];
  if (observers === undefined) {
    const all: ResponseObserver[] = (observers = observed[OBSERVERS] = []);
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = routeLabel(request);
      const status = reply.statusCode;
      const elapsedMs = reply.elapsedTime;
      for (let i = 0; i < all.length; i++) all[i](request, route, status, elapsedMs);
      done();
    });
  }
  observers.push(observer);
}
