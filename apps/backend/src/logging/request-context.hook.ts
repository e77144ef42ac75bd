import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { REQUEST_ID_HEADER } from './request-id';

const FASTIFY_REQUEST = Symbol('ecosyste.fastifyRequest');

/** The Fastify request behind a raw one: the request log needs its route template and proxy-aware IP. */
export function fastifyRequestOf(raw: IncomingMessage): FastifyRequest | undefined {
  return (raw as IncomingMessage & { [FASTIFY_REQUEST]?: FastifyRequest })[FASTIFY_REQUEST];
}

/** Echoes the request id on every response (also with logging off) and links raw and Fastify requests. */
@Injectable()
export class RequestContextHook implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      (request.raw as IncomingMessage & { [FASTIFY_REQUEST]?: FastifyRequest })[FASTIFY_REQUEST] = request;
      void reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  }
}
