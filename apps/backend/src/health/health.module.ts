import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { ExternalServicesHealthIndicator } from './indicators/external-services.health';
import { RedisHealthIndicator } from './indicators/redis.health';
import { ShutdownHealthIndicator } from './indicators/shutdown.health';

@Module({
  // JSON error logs: terminus's default 'pretty' style draws boxes that break one-line-per-event logs.
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, RedisHealthIndicator, ExternalServicesHealthIndicator, ShutdownHealthIndicator],
})
export class HealthModule {}
