import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottledWarning } from '../common/throttled-warning';

// @nestjs/throttler does not export its record type from the package root.
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** The shared count after adding hits; block 0 ms when the client is not blocked. */
export interface SharedHits {
  totalHits: number;
  windowLeftMs: number;
  blockLeftMs: number;
}

/**
 * Where the counts that decide live: Redis for every replica (redis-throttler.storage.ts), or this
 * process when there is no Redis (memory-throttler.storage.ts). Both follow the Redis script's rules.
 */
export interface SharedCounter {
  /** Adds `hits` to the client's count and answers with the count, the window and the block. */
  add(key: string, hits: number, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<SharedHits>;
}

/**
 * How often the exact mode forgets windows that are over: it has no batches to send, and the
 * sweep only bounds memory, so it need not run often.
 */
const EXACT_SWEEP_MS = 1_000;

/** One client's window as this replica knows it. Times are epoch ms. */
interface ClientWindow {
  key: string;
  throttlerName: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  endsAt: number;
  blockedUntil: number;
  /** The shared count at the last reply, plus hits that failed to reach Redis (counted here only). */
  known: number;
  /** Hits of the batch on its way to Redis. */
  sending: number;
  /** Hits counted since, for the next batch. */
  pending: number;
}

/**
 * Without Redis the shared counter is this process's (MemoryThrottlerStorage): one replica, same
 * rules, and nothing below can fail. With Redis:
 *
 * Counts each client's hits in memory and adds them to the shared Redis count every `syncMs`, so
 * a request decides without waiting on Redis. Only a client's first request to this replica in a
 * window awaits Redis (to start from the count the other replicas left), and concurrent first
 * requests share that one round trip.
 *
 * The budget is approximate: a replica decides on the shared count of its last sync, so a client
 * spreading requests over replicas can pass the limit by at most its request rate × `syncMs` on
 * each replica before every replica has seen the block (which Redis sets, as before, once the
 * shared count passes the limit). Hits still pending when their window ends are dropped with it
 * rather than charged to the next window.
 *
 * With `syncMs` 0 the count is exact instead: every hit awaits its own script call and the answer
 * is Redis's, at one round trip per request. The window is still kept here so that, should Redis
 * fail, this replica carries on from the last shared count and block it saw rather than from zero.
 *
 * Redis failures never fail a request: a failed round trip or batch leaves its hits counted on
 * this replica only (not resent: a timed-out call may have been applied).
 */
export class BatchedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new ClientWindows();
  private readonly arriving = new Map<string, Promise<ClientWindow>>();
  private readonly batches = new Set<Promise<void>>();
  // At most every 30 s: in an outage every request would report one.
  private readonly warning = new ThrottledWarning('RateLimit', 30_000, (reason) => `shared rate-limit store unavailable, counting per replica: ${reason}`);
  private readonly timer: NodeJS.Timeout;
  private readonly exact: boolean;

  constructor(
    private readonly shared: SharedCounter,
    syncMs: number,
    private readonly closeShared: () => void,
  ) {
    this.exact = syncMs === 0;
    this.timer = setInterval(() => void this.flush(), this.exact ? EXACT_SWEEP_MS : syncMs);
    // A pending sync must not keep a stopping process alive; shutdown flushes the last batch.
    this.timer.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    // Out of line: the batched path below runs on every request, and stays as small as it was.
    if (this.exact) return this.addNow(key, ttl, limit, blockDuration, throttlerName);
    const known = this.hitNow(key, throttlerName);
    if (known) return known;
    const id = `${throttlerName}:${key}`;
    const arriving = this.arriving.get(id);
    if (arriving) return this.count(await arriving, Date.now());
    const first = this.fetch({ key, throttlerName, ttl, limit, blockDuration, endsAt: 0, blockedUntil: 0, known: 0, sending: 0, pending: 0 });
    this.arriving.set(id, first);
    try {
      const fetched = await first;
      this.windows.set(fetched);
      return this.decide(fetched, Date.now());
    } finally {
      this.arriving.delete(id);
    }
  }

  /**
   * The batched mode's answer when this replica already holds the client's window: counted and
   * decided at once, without a promise (RateLimitHook asks this first, as increment does).
   * Undefined in the exact mode and for a window this replica doesn't know yet: then `increment`.
   */
  hitNow(key: string, throttlerName: string): ThrottlerStorageRecord | undefined {
    if (this.exact) return undefined;
    const now = Date.now();
    const window = this.windows.get(throttlerName, key);
    return window && !isOver(window, now) ? this.count(window, now) : undefined;
  }

  /**
   * Sends every window's pending hits, one script call each (auto-pipelined into one write), and
   * resolves once every batch on its way, these and earlier ones, has been answered.
   */
  async flush(): Promise<void> {
    const now = Date.now();
    for (const window of this.windows.all()) {
      // Expired windows go, whatever was pending: memory stays bounded by the clients of one window.
      if (isOver(window, now)) this.windows.delete(window);
      else if (window.pending > 0 && window.sending === 0) {
        const batch = this.send(window).finally(() => this.batches.delete(batch));
        this.batches.add(batch);
      }
    }
    await Promise.all(this.batches);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // Earlier batches first: a window whose batch is on its way sends its latest hits only after.
    await Promise.all(this.batches);
    await this.flush();
    this.windows.clear();
    this.closeShared();
  }

  /** A client's first hit here in this window: add it to the shared count and learn the window. */
  private async fetch(window: ClientWindow): Promise<ClientWindow> {
    const now = Date.now();
    try {
      this.apply(window, await this.shared.add(window.key, 1, window.ttl, window.limit, window.blockDuration, window.throttlerName), now);
    } catch (err) {
      this.warning.report(err);
      window.endsAt = now + window.ttl;
      window.known = 1;
    }
    return window;
  }

  /**
   * The exact mode's hit, decided as of when it was sent so that its figures are the ones Redis
   * answered (the script blocks past the limit as decide() would, so decide() adds no block).
   */
  private async addNow(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const sentAt = Date.now();
    let window = this.windows.get(throttlerName, key);
    if (!window || isOver(window, sentAt)) {
      // This replica's guess at the window, which stands only if Redis fails to answer.
      window = { key, throttlerName, ttl, limit, blockDuration, endsAt: sentAt + ttl, blockedUntil: 0, known: 0, sending: 0, pending: 0 };
      this.windows.set(window);
    }
    try {
      this.apply(window, await this.shared.add(key, 1, ttl, limit, blockDuration, throttlerName), sentAt);
    } catch (err) {
      this.warning.report(err);
      window.known += 1;
    }
    return this.decide(window, sentAt);
  }

  private async send(window: ClientWindow): Promise<void> {
    const hits = window.pending;
    window.pending = 0;
    window.sending = hits;
    const sentAt = Date.now();
    try {
      this.apply(window, await this.shared.add(window.key, hits, window.ttl, window.limit, window.blockDuration, window.throttlerName), sentAt);
    } catch (err) {
      this.warning.report(err);
      window.known += hits;
    } finally {
      window.sending = 0;
    }
  }

  /** Redis's count includes the hits just sent; its window and block are the shared ones. */
  private apply(window: ClientWindow, reply: SharedHits, sentAt: number): void {
    window.known = reply.totalHits;
    window.endsAt = sentAt + reply.windowLeftMs;
    if (reply.blockLeftMs > 0) window.blockedUntil = Math.max(window.blockedUntil, sentAt + reply.blockLeftMs);
  }

  /** Every hit counts, refused ones too, as in the Redis script. */
  private count(window: ClientWindow, now: number): ThrottlerStorageRecord {
    window.pending += 1;
    return this.decide(window, now);
  }

  private decide(window: ClientWindow, now: number): ThrottlerStorageRecord {
    const totalHits = window.known + window.sending + window.pending;
    if (window.blockedUntil <= now && totalHits > window.limit) window.blockedUntil = now + window.blockDuration;
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits,
      timeToExpire: seconds(window.endsAt - now),
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds(window.blockedUntil - now) : 0,
    };
  }
}

/**
 * The windows by throttler, then by client: a hit finds its window without joining the two names
 * into a new string (which a map lookup would then have to hash) on every request.
 */
class ClientWindows {
  private readonly byThrottler = new Map<string, Map<string, ClientWindow>>();

  get(throttlerName: string, key: string): ClientWindow | undefined {
    return this.byThrottler.get(throttlerName)?.get(key);
  }

  set(window: ClientWindow): void {
    let clients = this.byThrottler.get(window.throttlerName);
    if (!clients) this.byThrottler.set(window.throttlerName, (clients = new Map()));
    clients.set(window.key, window);
  }

  delete(window: ClientWindow): void {
    this.byThrottler.get(window.throttlerName)?.delete(window.key);
  }

  /** A snapshot: deleting while walking it is safe. */
  all(): ClientWindow[] {
    return [...this.byThrottler.values()].flatMap((clients) => [...clients.values()]);
  }

  clear(): void {
    this.byThrottler.clear();
  }
}

/** Neither counting nor blocking any more: the next hit starts a new window. */
function isOver(window: ClientWindow, now: number): boolean {
  return window.endsAt <= now && window.blockedUntil <= now;
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
