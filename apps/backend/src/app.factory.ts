import 'reflect-metadata';
import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { decorateRouteLabel } from './common/route-label';
import { AppConfig } from './config/app-config';
import { serveFrontend } from './frontend/serve-frontend';
import { requestIdFor } from './logging/request-id';
import { useAppLogger } from './logging/use-app-logger';
import { applyHttpHardening } from './security/http-hardening';
import { traceServerRequests } from './tracing/server-span.hook';
import { hookRootRatio } from './tracing/tracing.options';

export interface CreateAppOptions {
  logger?: LoggerService | false;
}

/** Builds the whole app from a config object: used by main.ts and by the tests alike. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    // Keys named __proto__/constructor in JSON are refused rather than merged into objects.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The incoming X-Request-Id when it is a plain token, else a UUID: logs and response share it.
    genReqId: requestIdFor,
  });
  // Fastify accepts text/plain bodies by default; this API speaks JSON only, so anything else is a 415.
  adapter.getInstance().removeContentTypeParser('text/plain');
  decorateRouteLabel(adapter.getInstance());
  // First hook of all, so every later hook, the handler and the request log run in the request's trace.
  if (config.tracing.enabled) traceServerRequests(adapter.getInstance(), { rootRatio: hookRootRatio(config.tracing.sampler, config.tracing.samplerRatio) });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger ?? ['error', 'warn', 'log'],
    // Without an explicit logger, start-up lines wait for the pino logger (ECS JSON) below.
    bufferLogs: options.logger === undefined,
    // Nest would add a urlencoded form parser; Fastify's own JSON parser is all this API accepts.
    bodyParser: false,
    abortOnError: false,
  });
  useAppLogger(app, options.logger);
  app.useGlobalFilters(new AllExceptionsFilter());
  // No enableShutdownHooks: main.ts drains on SIGTERM itself (lifecycle/graceful-shutdown.ts).
  await applyHttpHardening(app, config);
  if (config.frontend.serve) await serveFrontend(app, config);
  await app.init();
  return app;
}
