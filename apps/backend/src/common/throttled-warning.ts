import { Logger } from '@nestjs/common';

/**
 * A warning written at most once per `everyMs`: when a dependency is down, every request fails the
 * same way, and one line per interval says so without flooding the log at request rate.
 */
export class ThrottledWarning {
  private readonly logger: Logger;
  private last = 0;

  constructor(
    context: string,
    private readonly everyMs: number,
    private readonly describe: (reason: string) => string,
  ) {
    this.logger = new Logger(context);
  }

  report(err: unknown): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.logger.warn(this.describe(err instanceof Error ? err.message : String(err)));
  }
}
