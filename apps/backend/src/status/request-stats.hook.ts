import type { FastifyInstance } from 'fastify';
import { observeResponses } from '../common/response-observers';
import { isCountedRoute } from './counted-routes';
import { RequestStatsRecorder } from './request-stats.recorder';

/** Counts every counted API request's outcome and duration into the recorder once it is answered. */
export function countRequests(fastify: FastifyInstance, recorder: RequestStatsRecorder): void {
  observeResponses(fastify, (_request, route, status, elapsedMs) => {
    if (isCountedRoute(route)) recorder.record(status, elapsedMs / 1000);
  });
}
