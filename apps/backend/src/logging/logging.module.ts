import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG } from '../config/app-config';
import { createRootLogger, RootLogger } from './logger.factory';
import { RequestLogHook, ROOT_LOGGER } from './request-log.hook';

@Injectable()
class LogFilesCloser implements OnApplicationShutdown {
  constructor(@Inject(ROOT_LOGGER) private readonly root: RootLogger) {}

  async onApplicationShutdown(): Promise<void> {
    await this.root.close();
  }
}

/**
 * nestjs-pino carries Nest's own logs (start-up, `new Logger(...)`, errors) to the pino root
 * logger; the request lines come from RequestLogHook, so its middleware is not mounted anywhere.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: ROOT_LOGGER, inject: [APP_CONFIG], useFactory: createRootLogger }, LogFilesCloser, RequestLogHook],
      inject: [ROOT_LOGGER],
      useFactory: (root: RootLogger) => ({ pinoHttp: { logger: root.logger }, forRoutes: [] }),
    }),
  ],
})
export class LoggingModule {}
