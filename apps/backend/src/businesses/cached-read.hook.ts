import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CachedJson } from '../common/cached-json';
import { BUSINESSES_PATH, idPipe, listQueryPipe } from './businesses.controller';
import { BusinessesService } from './businesses.service';
import { ListBusinessesQuery } from './dto/list-businesses.query';

const DETAIL_PREFIX = `${BUSINESSES_PATH}/`;

/** Validated list queries kept by their raw text; the map is emptied when it reaches this size. */
const MAX_KNOWN_QUERIES = 1000;

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
  // The list is mostly asked for with a handful of query strings (the home page's, the first pages
  // of popular filters): each is validated once rather than on every hit (zod was a fiftieth of a
  // hit's CPU). Validation depends on the raw query string alone; only valid ones are kept.
  private readonly knownQueries = new Map<string, ListBusinessesQuery>();

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
      const query = this.listQuery(q < 0 ? '' : url.slice(q + 1), request);
      return query && this.businesses.peekList(query);
    }
    // One segment after the prefix: the `:id` route, whose id Fastify has put in the params.
    if (path.startsWith(DETAIL_PREFIX) && !path.includes('/', DETAIL_PREFIX.length)) {
      const id = idPipe.tryTransform((request.params as { id?: unknown } | undefined)?.id);
      return id === undefined ? undefined : this.businesses.peekDetail(id);
    }
    return undefined;
  }

  private listQuery(raw: string, request: FastifyRequest): ListBusinessesQuery | undefined {
    const known = this.knownQueries.get(raw);
    if (known) return known;
    const query = listQueryPipe.tryTransform(request.query);
    if (query) {
      if (this.knownQueries.size >= MAX_KNOWN_QUERIES) this.knownQueries.clear();
      this.knownQueries.set(raw, Object.freeze(query));
    }
    return query;
  }
}
