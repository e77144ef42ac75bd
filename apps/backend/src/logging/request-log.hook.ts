import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { observeResponses } from '../common/response-observers';
import { isInfrastructureRoute } from '../common/route-label';
import { REQUEST_ID_HEADER } from './request-id';
import type { RootLogger } from './logger.factory';
import { LEVEL_VALUES, requestLogLevel } from './request-log';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The request id echoed on every response (also with logging off), and one log line per request,
 * written from Fastify's hooks. pino-http as a Nest middleware would cost a middie pass, two child
 * loggers and an AsyncLocalStorage context per request: a fifth of the throughput of a cached read.
 */
@Injectable()
export class RequestLogHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ROOT_LOGGER) private readonly root: RootLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
    const logger = this.root.logger;
    if (logger.level === 'silent') return;
    const lines = this.root.requestLines;
    observeResponses(fastify, (request, route, status, elapsedMs) => {
      const level = requestLogLevel(status);
      // Probes and scrapes every few seconds would drown the useful lines.
      if (LEVEL_VALUES[level] >= logger.levelVal && !isInfrastructureRoute(route)) lines.write(level, request, route, status, elapsedMs);
    });
  }
}
