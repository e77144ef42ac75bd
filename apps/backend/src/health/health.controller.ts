import { Controller, Get, Inject } from '@nestjs/common';
import { DiskHealthIndicator, HealthCheck, HealthCheckService, MemoryHealthIndicator } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../config/app-config';
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
  check() {
    const { timeoutMs, diskPath, diskMaxRatio, heapMaxBytes, rssMaxBytes, externalUrls } = this.config.health;
    return this.health.check([
      () => this.database.isHealthy('database'),
      () => this.redis.isHealthy('redis', { required: true }),
      ...(externalUrls.length ? [() => this.external.isHealthy('external-services')] : []),
      () => withTimeout('disk', timeoutMs, () => this.disk.checkStorage('disk', { path: diskPath, thresholdPercent: diskMaxRatio })),
      () => withTimeout('memory_heap', timeoutMs, () => this.memory.checkHeap('memory_heap', heapMaxBytes)),
      () => withTimeout('memory_rss', timeoutMs, () => this.memory.checkRSS('memory_rss', rssMaxBytes)),
    ]);
  }

  /** The process answers: nothing else, so a database outage never restarts every pod. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** What serving needs: the database; Redis is optional; 503 once shutdown has begun. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.shutdown.isAccepting('lifecycle'),
      () => this.database.isHealthy('database'),
      () => this.redis.isHealthy('redis', { required: false }),
    ]);
  }
}
