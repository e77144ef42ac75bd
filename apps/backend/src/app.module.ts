import { DynamicModule, Module } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module';
import { BusinessesModule } from './businesses/businesses.module';
import { CacheModule } from './cache/cache.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { SecurityModule } from './security/security.module';
import { StatusModule } from './status/status.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        LifecycleModule,
        MetricsModule.forRoot(config),
        SecurityModule.forRoot(config),
        HealthModule,
        DatabaseModule,
        CacheModule,
        BusinessesModule,
        AlertsModule,
        StatusModule,
      ],
    };
  }
}
