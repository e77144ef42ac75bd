import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { requireBearer } from '../auth/bearer-token';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** With METRICS_TOKEN set, a scrape must carry it as `Authorization: Bearer …`; without it, /metrics is open. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.metrics.token;
    return !token || requireBearer(context, { expected: token, variable: 'METRICS_TOKEN', feature: 'Scrapes are', realm: 'ecosyste-metrics' });
  }
}
