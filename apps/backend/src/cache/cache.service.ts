import { Inject, Injectable, Logger } from '@nestjs/common';
import { SingleFlight } from '../common/single-flight';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CACHE_STORE, CacheStore } from './cache.store';

export interface CacheStats {
  hits: number;
  misses: number;
  errors: number;
}

/**
 * The cache as the rest of the app sees it: never throws. A failing store (Redis down, slow,
 * restarting) behaves as a miss, so requests fall through to the database.
 *
 * Concurrent reads of one key share one store read (a popular page read by a hundred clients at
 * once costs one Redis GET, and one copy of its bytes in memory, instead of a hundred). A write
 * through this service first detaches the reads in flight, so a read that starts after a write on
 * this replica never gets a value read before it; on other replicas a read may join a GET sent
 * up to one Redis round trip before the write invalidated the key.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  readonly stats: CacheStats = { hits: 0, misses: 0, errors: 0 };
  private lastErrorLog = 0;
  private readonly reads = new SingleFlight<Buffer | undefined>();

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get kind(): CacheStore['kind'] {
    return this.store.kind;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const value = await this.reads.run(key, () => this.store.get(key));
      if (value === undefined) this.stats.misses++;
      else this.stats.hits++;
      return value;
    } catch (err) {
      this.failed(err);
      this.stats.misses++;
      return undefined;
    }
  }

  /** Fire-and-forget: a response never waits for the cache write. */
  set(key: string, value: Buffer, group?: string): void {
    this.store.set(key, value, this.config.cache.ttlSeconds, group).catch((err) => this.failed(err));
  }

  async del(key: string): Promise<void> {
    this.reads.forget(key);
    await this.store.del(key).catch((err) => this.failed(err));
  }

  async invalidateGroup(group: string): Promise<void> {
    // The group's members are not known here: detach every read in flight.
    this.reads.forget();
    await this.store.invalidateGroup(group).catch((err) => this.failed(err));
  }

  async ping(): Promise<void> {
    await this.store.ping();
  }

  private failed(err: unknown): void {
    this.stats.errors++;
    // One line every 10 s at most: an outage must not flood the logs at request rate.
    const now = Date.now();
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.logger.warn(`cache unavailable, serving from the database: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
