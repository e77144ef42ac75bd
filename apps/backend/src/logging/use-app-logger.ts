import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Routes Nest's own logs (start-up, errors, `new Logger(...)`) through the pino root logger. */
export function useAppLogger(app: INestApplication): void {
  app.useLogger(app.get(Logger));
}
