import { Controller, Get, Inject, Res } from '@nestjs/common';
import { DiskHealthIndicator, HealthCheck, HealthCheckService, HealthIndicatorFunction, MemoryHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { healthResponse } from './health-response';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { ExternalServicesHealthIndicator } from './indicators/external-services.health';
import { RedisHealthIndicator } from './indicators/redis.health';
import { ShutdownHealthIndicator } from './indicators/shutdown.health';
import { withTimeout } from './with-timeout';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(DatabaseHealthIndicator) private readonly database: DatabaseHealthIndicator,
    @Inject(RedisHealthIndicator) private readonly redis: RedisHealthIndicator,
    @Inject(ExternalServicesHealthIndicator) private readonly external: ExternalServicesHealthIndicator,
    @Inject(ShutdownHealthIndicator) private readonly shutdown: ShutdownHealthIndicator,
    @Inject(DiskHealthIndicator) private readonly disk: DiskHealthIndicator,
    @Inject(MemoryHealthIndicator) private readonly memory: MemoryHealthIndicator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Everything, as the seed lists it: for people and the compose healthcheck, not for Kubernetes. */
  @Get()
  @HealthCheck()
  check(@Res({ passthrough: true }) reply: FastifyReply) {
    const { timeoutMs, diskPath, diskMaxRatio, heapMaxBytes, rssMaxBytes, externalUrls } = this.config.health;
    const checks: HealthIndicatorFunction[] = [
      () => this.database.isHealthy('database'),
      () => this.redis.isHealthy('redis', { required: true }),
      ...(externalUrls.length ? [() => this.external.isHealthy('external-services')] : []),
      () => withTimeout('disk', timeoutMs, () => this.disk.checkStorage('disk', { path: diskPath, thresholdPercent: diskMaxRatio })),
      () => withTimeout('memory_heap', timeoutMs, () => this.memory.checkHeap('memory_heap', heapMaxBytes)),
      () => withTimeout('memory_rss', timeoutMs, () => this.memory.checkRSS('memory_rss', rssMaxBytes)),
    ];
    return healthResponse(reply, () => this.health.check(checks));
  }

  /** The process answers: nothing else, so a database outage never restarts every pod. */
  @Get('live')
  @HealthCheck()
  live(@Res({ passthrough: true }) reply: FastifyReply) {
    return healthResponse(reply, () => this.health.check([]));
  }

  /** What serving needs: the database; Redis is optional; 503 once shutdown has begun. */
  @Get('ready')
  @HealthCheck()
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks: HealthIndicatorFunction[] = [
      () => this.shutdown.isAccepting('lifecycle'),
      () => this.database.isHealthy('database'),
      () => this.redis.isHealthy('redis', { required: false }),
    ];
    return healthResponse(reply, () => this.health.check(checks));
  }
}
