import type { FastifyInstance } from 'fastify';
import { RequestStatsRecorder } from './request-stats.recorder';

// The page's own polling, the probes and Alertmanager's calls are not what users experience.
const NOT_COUNTED = /^\/api\/(status|alerts|health)(\/|\?|$)/;

/** Counts every API request's outcome and duration into the recorder once it is answered. */
export function countRequests(fastify: FastifyInstance, recorder: RequestStatsRecorder): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    if (url.startsWith('/api/') && !NOT_COUNTED.test(url)) recorder.record(reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
