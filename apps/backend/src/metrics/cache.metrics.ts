import { Counter, Registry } from 'prom-client';
import type { CacheService, CacheStats } from '../cache/cache.service';

/**
 * CacheService keeps plain counters (no prom-client on the request path); at scrape time these
 * counters catch up with them.
 */
export class CacheMetrics {
  constructor(registry: Registry, cache: CacheService) {
    const counter = (name: string, help: string, field: keyof CacheStats) => {
      let reported = 0;
      new Counter({
        name,
        help,
        labelNames: ['cache'],
        registers: [registry],
        collect() {
          const current = cache.stats[field];
          if (current > reported) this.inc({ cache: cache.kind }, current - reported);
          else if (reported === 0) this.inc({ cache: cache.kind }, 0);
          reported = current;
        },
      });
    };
    counter('cache_hits_total', 'Cache reads that found a value.', 'hits');
    counter('cache_near_hits_total', "Cache hits served from the replica's own memory, without a Redis round trip (part of cache_hits_total).", 'nearHits');
    counter('cache_misses_total', 'Cache reads that found nothing (or failed) and went to the database.', 'misses');
    counter('cache_errors_total', 'Cache operations that failed (Redis unreachable or slow).', 'errors');
  }
}
