import type { FastifyInstance } from 'fastify';
import { routeLabel } from '../common/route-label';
import { isCountedRoute } from './counted-routes';
import { RequestStatsRecorder } from './request-stats.recorder';

/** Counts every counted API request's outcome and duration into the recorder once it is answered. */
export function countRequests(fastify: FastifyInstance, recorder: RequestStatsRecorder): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (isCountedRoute(routeLabel(request))) recorder.record(reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
