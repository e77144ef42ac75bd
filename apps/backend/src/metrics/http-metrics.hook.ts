import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service';
import { isInfrastructureRoute, methodLabel, routeLabel } from '../common/route-label';

/**
 * Counts and times every response at Fastify's onResponse hook rather than in a Nest interceptor:
 * it also sees 404s, errors thrown before a handler, and the static files, and it is cheaper.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const http = this.metrics.http;
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = routeLabel(request);
      if (!isInfrastructureRoute(route)) {
        http.observe(methodLabel(request.method), route, reply.statusCode, reply.elapsedTime / 1000);
      }
      done();
    });
  }
}
