import { Inject, Injectable, Optional } from '@nestjs/common';
import { SingleFlight } from '../common/single-flight';
import { ThrottledWarning } from '../common/throttled-warning';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheInvalidationBus, Invalidation } from './cache-invalidation.bus';
import { CACHE_STORE, CacheStore } from './cache.store';
import { NearCache } from './near-cache';

export interface CacheStats {
  /** Every read that found a value, near hits included. */
  hits: number;
  /** The hits served by the near cache, without a Redis round trip. */
  nearHits: number;
  misses: number;
  errors: number;
}

export const NEAR_CACHE = Symbol('NEAR_CACHE');

/**
 * The cache as the rest of the app sees it: never throws. A failing store (Redis down, slow,
 * restarting) behaves as a miss, so requests fall through to the database.
 *
 * Concurrent reads of one key share one store read (a popular page read by a hundred clients at
 * once costs one Redis GET, and one copy of its bytes in memory, instead of a hundred). A write
 * through this service first detaches the reads in flight, so a read that starts after a write on
 * this replica never gets a value read before it; on other replicas a read may join a GET sent
 * up to one Redis round trip before the write invalidated the key.
 *
 * On Redis, recent hits are also kept in this process (NearCache, CACHE_LOCAL_TTL_MS) and served
 * before any of that. Writes drop them here at once and on the other replicas through
 * CacheInvalidationBus. A key stored in a group must be read with that group, so that dropping the
 * group drops its near copies too.
 */
@Injectable()
export class CacheService {
  private readonly unavailable = new ThrottledWarning(CacheService.name, 10_000, (reason) => `cache unavailable, serving from the database: ${reason}`);
  readonly stats: CacheStats = { hits: 0, misses: 0, errors: 0, nearHits: 0 };
  private readonly reads = new SingleFlight<Buffer | undefined>();

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(NEAR_CACHE) private readonly near: NearCache | null = null,
    @Optional() @Inject(CacheInvalidationBus) private readonly bus: Pick<CacheInvalidationBus, 'publish'> | null = null,
  ) {}

  get kind(): CacheStore['kind'] {
    return this.store.kind;
  }

  async get(key: string, group?: string): Promise<Buffer | undefined> {
    const held = this.peek(key);
    if (held) return held;
    try {
      const value = await this.reads.run(key, () => this.read(key, group));
      if (value === undefined) this.stats.misses++;
      else this.stats.hits++;
      return value;
    } catch (err) {
      this.failed(err);
      this.stats.misses++;
      return undefined;
    }
  }

  /**
   * A hit held in this process (the near cache, or the in-memory store), returned at once; else
   * undefined, and nothing is counted: `get` (which starts here) goes on and counts the miss.
   */
  peek(key: string): Buffer | undefined {
    const near = this.near?.get(key);
    if (near) {
      this.stats.hits++;
      this.stats.nearHits++;
      return near;
    }
    const local = this.store.peek?.(key);
    if (local) this.stats.hits++;
    return local;
  }

  /** Fire-and-forget: a response never waits for the cache write. */
  set(key: string, value: Buffer, group?: string): void {
    this.store.set(key, value, this.config.cache.ttlSeconds, group).catch((err) => this.failed(err));
  }

  async del(key: string): Promise<void> {
    this.reads.forget(key);
    await this.invalidate({ key }, () => this.store.del(key));
  }

  async invalidateGroup(group: string): Promise<void> {
    // The group's members are not known here: detach every read in flight.
    this.reads.forget();
    await this.invalidate({ group }, () => this.store.invalidateGroup(group));
  }

  private async read(key: string, group?: string): Promise<Buffer | undefined> {
    if (!this.near) return this.store.get(key);
    const since = this.near.generation;
    const value = await this.store.get(key);
    if (value) this.near.fill(key, value, since, group);
    return value;
  }

  private async invalidate(invalidation: Invalidation, dropStored: () => Promise<void>): Promise<void> {
    this.dropNear(invalidation);
    await dropStored().catch((err) => this.failed(err));
    // Again: a read of this replica may have refilled it from Redis before the store was done
    // (a group takes two round trips). Then tell the other replicas, whose rereads now miss.
    this.dropNear(invalidation);
    await this.bus?.publish(invalidation).catch((err) => this.failed(err));
  }

  private dropNear(invalidation: Invalidation): void {
    if ('key' in invalidation) this.near?.delete(invalidation.key);
    else this.near?.dropGroup(invalidation.group);
  }

  async ping(): Promise<void> {
    await this.store.ping();
  }

  private failed(err: unknown): void {
    this.stats.errors++;
    this.unavailable.report(err);
  }
}
