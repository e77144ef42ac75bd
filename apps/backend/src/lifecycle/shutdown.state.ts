import { Injectable } from '@nestjs/common';

/** Set once SIGTERM arrives; readiness and the response hook read it. */
@Injectable()
export class ShutdownState {
  private since?: number;

  get shuttingDown(): boolean {
    return this.since !== undefined;
  }

  begin(): void {
    this.since ??= Date.now();
  }
}
