import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { observeResponses } from '../common/response-observers';
import { isInfrastructureRoute, methodLabel } from '../common/route-label';
import { MetricsService } from './metrics.service';

/**
 * Counts and times every response once it is sent (Fastify's onResponse, common/response-observers.ts)
 * rather than in a Nest interceptor: it also sees 404s, errors thrown before a handler, and the
 * static files, and it is cheaper.
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
    observeResponses(fastify, (request, route, status, elapsedMs) => {
      if (!isInfrastructureRoute(route)) http.observe(methodLabel(request.method), route, status, elapsedMs / 1000);
    });
  }
}
