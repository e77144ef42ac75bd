import type { SharedCounter, SharedHits } from './batched-throttler.storage';

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** How often expired counters are dropped; they are otherwise only replaced. */
const SWEEP_EVERY_MS = 10_000;

/**
 * The rate limit's counters in this process, when there is no Redis to share them: the same fixed
 * window and block as the Redis script (redis-throttler.storage.ts), so one replica without Redis
 * limits exactly as replicas with it. It sits under BatchedThrottlerStorage like the Redis store;
 * @nestjs/throttler's in-memory storage, used before, kept one expiry per hit and filtered them all
 * on every request — for a busy client, work in proportion to RATE_LIMIT_MAX.
 */
export class MemoryThrottlerStorage implements SharedCounter {
  private readonly counters = new Map<string, Counter>();
  private nextSweep = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Adds `hits` to the client's count: Redis's script, step by step. */
  async add(key: string, hits: number, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<SharedHits> {
    const now = this.clock();
    this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let counter = this.counters.get(id);
    if (!counter) this.counters.set(id, (counter = { hits: 0, windowEndsAt: 0, blockedUntil: 0 }));
    // The window's count and the block expire apart, as the script's two keys do.
    if (counter.windowEndsAt <= now) {
      counter.hits = 0;
      counter.windowEndsAt = now + ttl;
    }
    counter.hits += hits;
    const windowLeftMs = counter.windowEndsAt - now;
    if (counter.blockedUntil > now) return { totalHits: counter.hits, windowLeftMs, blockLeftMs: counter.blockedUntil - now };
    if (counter.hits > limit) {
      counter.blockedUntil = now + blockDuration;
      return { totalHits: counter.hits, windowLeftMs, blockLeftMs: blockDuration };
    }
    return { totalHits: counter.hits, windowLeftMs, blockLeftMs: 0 };
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [id, counter] of this.counters) {
      if (counter.windowEndsAt <= now && counter.blockedUntil <= now) this.counters.delete(id);
    }
  }
}
