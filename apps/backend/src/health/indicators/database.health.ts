import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DatabaseClient } from '../../database/database.client';
import { withTimeout } from '../with-timeout';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @Inject(DatabaseClient) private readonly database: DatabaseClient,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  isHealthy(key: string): Promise<HealthIndicatorResult> {
    return withTimeout(key, this.config.health.timeoutMs, async () => {
      const indicator = this.indicators.check(key);
      try {
        await this.database.ping();
      } catch (err) {
        return indicator.down({ message: err instanceof Error ? err.message : 'unreachable' });
      }
      return indicator.up({ kind: this.database.kind, connectionsInUse: this.database.connectionsInUse() });
    });
  }
}
