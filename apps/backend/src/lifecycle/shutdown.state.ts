import { Injectable } from '@nestjs/common';

/** Set once SIGTERM arrives; readiness and the response hook read it. */
@Injectable()
export class ShutdownState {
  private started = false;

  get shuttingDown(): boolean {
    return this.started;
  }

  begin(): void {
    this.started = true;
  }
}
