import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AlertsModule } from '../alerts/alerts.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ProcessSloSource } from './process-slo.source';
import { PrometheusClient } from './prometheus.client';
import { PrometheusSloSource } from './prometheus-slo.source';
import { countRequests } from './request-stats.hook';
import { RequestStatsRecorder } from './request-stats.recorder';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';
import { SLO_SOURCE } from './status.tokens';

@Module({
  imports: [AlertsModule],
  controllers: [StatusController],
  providers: [
    { provide: RequestStatsRecorder, useFactory: () => new RequestStatsRecorder() },
    { provide: ProcessSloSource, inject: [RequestStatsRecorder], useFactory: (r: RequestStatsRecorder) => new ProcessSloSource(r) },
    {
      provide: SLO_SOURCE,
      inject: [APP_CONFIG, ProcessSloSource],
      useFactory: (config: AppConfig, processSource: ProcessSloSource) =>
        config.status.prometheusUrl ? new PrometheusSloSource(new PrometheusClient(config.status.prometheusUrl)) : processSource,
    },
    StatusService,
  ],
})
export class StatusModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RequestStatsRecorder) private readonly recorder: RequestStatsRecorder,
  ) {}

  onModuleInit(): void {
    countRequests(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.recorder);
  }
}
