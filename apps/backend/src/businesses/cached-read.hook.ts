import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CachedJson } from '../common/cached-json';
import { BUSINESSES_PATH, idPipe, listQueryPipe } from './businesses.controller';
import { BusinessesService } from './businesses.service';

const DETAIL_PREFIX = `${BUSINESSES_PATH}/`;

/**
 * Answers the two public reads (`GET /api/businesses` and `GET /api/businesses/:id`) from Fastify's
 * preHandler when their result is already cached in this process (the near cache on Redis, the
 * in-memory store otherwise), before Nest's router runs. That router — parameter resolution, the
 * handler's promise, the response controller — costs a tenth of a cached read on its own, and the
 * cached list is the page everyone opens first (docs/PERFORMANCE.md).
 *
 * It is not a second implementation of the reads: it validates with the controller's own pipes,
 * reads through the same service and cache, and sends the same bytes through the same serializer.
 * Every request it does not answer at once — a miss, a value held only in Redis, an invalid query,
 * any other route — goes on to the controller unchanged, which then also answers the errors. The
 * onRequest hooks (rate limit, security and request-id headers, CORS) have run by then; the
 * onResponse ones (metrics, the request log) run after it alike.
 */
@Injectable()
export class CachedReadHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(BusinessesService) private readonly businesses: BusinessesService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preHandler', (request, reply, done) => {
      const hit = request.method === 'GET' ? this.cachedRead(request) : undefined;
      // Replying from a callback hook ends the request there: `done` must then not be called.
      if (hit) void reply.send(hit);
      else done();
    });
  }

  private cachedRead(request: FastifyRequest): CachedJson<unknown> | undefined {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === BUSINESSES_PATH) {
      const query = listQueryPipe.tryTransform(request.query);
      return query && this.businesses.peekList(query);
    }
    // One segment after the prefix: the `:id` route, whose id Fastify has put in the params.
    if (path.startsWith(DETAIL_PREFIX) && !path.includes('/', DETAIL_PREFIX.length)) {
      const id = idPipe.tryTransform((request.params as { id?: unknown } | undefined)?.id);
      return id === undefined ? undefined : this.businesses.peekDetail(id);
    }
    return undefined;
  }
}
