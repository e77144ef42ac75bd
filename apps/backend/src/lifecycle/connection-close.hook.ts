import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ShutdownState } from './shutdown.state';

/**
 * During shutdown every response says `Connection: close`: a keep-alive client would otherwise hold
 * its socket open after its last answer, and the server's close would wait for it to time out.
 */
@Injectable()
export class ConnectionCloseHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ShutdownState) private readonly shutdown: ShutdownState,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const state = this.shutdown;
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (state.shuttingDown) void reply.header('connection', 'close');
      done(null, payload);
    });
  }
}
