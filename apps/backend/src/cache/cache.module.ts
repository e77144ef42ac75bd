import { Global, Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheInvalidationBus } from './cache-invalidation.bus';
import { CACHE_STORE, CacheStore } from './cache.store';
import { CacheService, NEAR_CACHE } from './cache.service';
import { MemoryCacheStore } from './memory-cache.store';
import { NearCache } from './near-cache';
import { RedisCacheStore } from './redis-cache.store';

// The near cache holds the hot set of a few seconds (a list page is ~8 kB): 16 MiB is some 2,000
// pages, and keeps a replica well inside its memory budget (RSS < 256 MiB under load).
const NEAR_CACHE_MAX_BYTES = 16 * 1024 * 1024;

@Global()
@Module({
  providers: [
    {
      provide: CACHE_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): CacheStore => {
        if (!config.redis.url) return new MemoryCacheStore(config.cache.maxEntries);
        // Connection errors are reported (throttled) by CacheService when a command fails.
        return new RedisCacheStore(config.redis.url, config.redis.keyPrefix);
      },
    },
    {
      // Only in front of Redis: the memory store is already in this process.
      provide: NEAR_CACHE,
      inject: [APP_CONFIG, CACHE_STORE],
      useFactory: (config: AppConfig, store: CacheStore): NearCache | null =>
        store instanceof RedisCacheStore && config.cache.localTtlMs > 0
          ? new NearCache({ ttlMs: config.cache.localTtlMs, maxBytes: NEAR_CACHE_MAX_BYTES })
          : null,
    },
    {
      provide: CacheInvalidationBus,
      inject: [APP_CONFIG, CACHE_STORE, NEAR_CACHE],
      useFactory: (config: AppConfig, store: CacheStore, near: NearCache | null): CacheInvalidationBus | null => {
        if (!(store instanceof RedisCacheStore) || !config.redis.url) return null;
        const bus = new CacheInvalidationBus(store.client, `${config.redis.keyPrefix}cache:invalidate`);
        if (near) bus.subscribe(config.redis.url, near);
        return bus;
      },
    },
    CacheService,
  ],
  exports: [CacheService, CACHE_STORE],
})
export class CacheModule implements OnApplicationShutdown {
  private readonly logger = new Logger(CacheModule.name);

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(NEAR_CACHE) near: NearCache | null,
    @Optional() @Inject(CacheInvalidationBus) private readonly bus: CacheInvalidationBus | null,
  ) {
    this.logger.log(`cache: ${store.kind}${near ? `, near cache ${config.cache.localTtlMs} ms` : ''}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus?.close();
    await this.store.close();
  }
}
