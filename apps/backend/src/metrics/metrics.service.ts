import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CacheService } from '../cache/cache.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseClient } from '../database/database.client';
import { CacheMetrics } from './cache.metrics';
import { DatabaseMetrics } from './database.metrics';
import { HttpMetrics } from './http.metrics';

/**
 * Owns the app's Prometheus registry. One registry per app instance (not prom-client's global
 * one), so several apps in one test process never collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly http: HttpMetrics;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DatabaseClient) database: DatabaseClient,
    @Inject(CacheService) cache: CacheService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool
    // flags them); each is the sum of its unsuffixed per-type gauge, so nothing is lost.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
    new Gauge({
      name: 'app_info',
      help: 'Always 1; its labels carry the running version and commit.',
      labelNames: ['version', 'commit'],
      registers: [this.registry],
    }).set({ version: config.version, commit: config.commit }, 1);
    this.http = new HttpMetrics(this.registry);
    // Times every query from here on, whoever runs it.
    new DatabaseMetrics(this.registry, database).instrumentPool();
    new CacheMetrics(this.registry, cache);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
