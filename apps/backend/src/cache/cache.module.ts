import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CACHE_STORE, CacheStore } from './cache.store';
import { CacheService } from './cache.service';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

@Global()
@Module({
  providers: [
    {
      provide: CACHE_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): CacheStore => {
        if (!config.redis.url) return new MemoryCacheStore(config.cache.maxEntries);
        // Connection errors are reported (throttled) by CacheService when a command fails.
        return new RedisCacheStore(config.redis.url, config.redis.keyPrefix, () => undefined);
      },
    },
    CacheService,
  ],
  exports: [CacheService, CACHE_STORE],
})
export class CacheModule implements OnApplicationShutdown {
  private readonly logger = new Logger(CacheModule.name);

  constructor(@Inject(CACHE_STORE) private readonly store: CacheStore) {
    this.logger.log(`cache: ${store.kind}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
