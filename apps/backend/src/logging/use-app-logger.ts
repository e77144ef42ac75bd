import type { INestApplication, LoggerService } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { RootLogger } from './logger.factory';
import { ROOT_LOGGER } from './request-log.hook';

/**
 * Without an explicit logger, Nest's own logs (start-up, `new Logger(...)`, errors) go to the pino
 * root logger. `logger: false` (the in-process tests) silences the request lines as well; it must
 * run before `app.init()`, which installs the request log hook.
 */
export function useAppLogger(app: INestApplication, logger: LoggerService | false | undefined): void {
  if (logger === undefined) app.useLogger(app.get(Logger));
  else if (logger === false) app.get<typeof ROOT_LOGGER, RootLogger>(ROOT_LOGGER).logger.level = 'silent';
}
