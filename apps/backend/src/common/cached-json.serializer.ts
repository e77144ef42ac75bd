import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { serializeReply } from './cached-json';

/** Installs the reply serializer that sends CachedJson bodies without re-serialising them. */
@Injectable()
export class CachedJsonSerializer implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // Fastify's types say string, but its send path takes a Buffer from the serializer as it takes
    // one from a handler (tests/performance and the integration tests check the bytes on the wire).
    const serializer = serializeReply as (payload: unknown) => string;
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().setReplySerializer(serializer);
  }
}
