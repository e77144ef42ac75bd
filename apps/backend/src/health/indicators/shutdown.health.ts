import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ShutdownState } from '../../lifecycle/shutdown.state';

/** Readiness fails from the moment SIGTERM arrives, so the load balancer stops sending traffic. */
@Injectable()
export class ShutdownHealthIndicator {
  constructor(
    @Inject(ShutdownState) private readonly shutdown: ShutdownState,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
  ) {}

  isAccepting(key: string): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    return this.shutdown.shuttingDown ? indicator.down({ message: 'shutting down' }) : indicator.up();
  }
}
