import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { HttpMetricsHook } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

@Module({})
export class MetricsModule {
  /** METRICS_ENABLED=false leaves no trace: no hook on the request path, no registry, /metrics is a 404. */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.metrics.enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [MetricsService, MetricsTokenGuard, HttpMetricsHook],
      exports: [MetricsService],
    };
  }
}
