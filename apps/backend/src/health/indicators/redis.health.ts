import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { CacheService } from '../../cache/cache.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { withTimeout } from '../with-timeout';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(CacheService) private readonly cache: CacheService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `required: false` is for readiness: without Redis every read falls through to PostgreSQL, so
   * the instance still serves. It is then reported up with `degraded: true` rather than down.
   */
  async isHealthy(key: string, options: { required: boolean }): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    if (this.cache.kind !== 'redis') return indicator.up({ store: this.cache.kind });
    const result = await withTimeout(key, this.config.health.timeoutMs, async () => {
      await this.cache.ping();
      return indicator.up({ store: 'redis' });
    });
    if (result[key].status === 'up' || options.required) return result;
    return indicator.up({ store: 'redis', degraded: true, message: `${String(result[key].message)}; serving from the database` });
  }
}
