import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { createRootLogger, RootLogger } from './logger.factory';
import { RequestContextHook } from './request-context.hook';
import { requestLogOptions } from './request-log';

const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Injectable()
class LogFilesCloser implements OnApplicationShutdown {
  constructor(@Inject(ROOT_LOGGER) private readonly root: RootLogger) {}

  async onApplicationShutdown(): Promise<void> {
    await this.root.close();
  }
}

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          providers: [{ provide: ROOT_LOGGER, inject: [APP_CONFIG], useFactory: createRootLogger }, LogFilesCloser],
          inject: [ROOT_LOGGER],
          useFactory: (root: RootLogger) => ({
            pinoHttp: { logger: root.logger, ...requestLogOptions() },
            // LOG_LEVEL=silent takes the request logger off the request path entirely.
            ...(config.logging.level === 'silent' ? { forRoutes: [] } : {}),
          }),
        }),
      ],
      providers: [RequestContextHook],
    };
  }
}
