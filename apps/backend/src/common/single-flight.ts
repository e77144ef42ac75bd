/**
 * Concurrent callers asking for the same key share one load. A burst of identical requests on a
 * cold cache (the seed's "1000 concurrent GET /api/businesses") then costs one query instead of
 * a thousand queued on a ten-connection pool, where most would time out waiting for a connection.
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  run(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const started = load().finally(() => {
      if (this.inflight.get(key) === started) this.inflight.delete(key);
    });
    this.inflight.set(key, started);
    return started;
  }

  /** After a write: later callers must not join a load that began before it. */
  forget(key?: string): void {
    if (key === undefined) this.inflight.clear();
    else this.inflight.delete(key);
  }
}
