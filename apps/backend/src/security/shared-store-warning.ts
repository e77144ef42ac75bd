import { Logger } from '@nestjs/common';

const WARN_EVERY_MS = 30_000;

/** Reports the shared rate-limit store's failures at most every 30 s: in an outage every request fails one. */
export class SharedStoreWarning {
  private readonly logger = new Logger('RateLimit');
  private last = 0;

  report(err: unknown): void {
    if (Date.now() - this.last <= WARN_EVERY_MS) return;
    this.last = Date.now();
    this.logger.warn(`shared rate-limit store unavailable, counting per replica: ${(err as Error).message}`);
  }
}
