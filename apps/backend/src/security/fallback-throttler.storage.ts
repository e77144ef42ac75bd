import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { sharedStoreWarning } from './shared-store-warning';

/**
 * Counts in the shared store (Redis) so a limit holds across replicas; when that store fails, each
 * replica counts on its own in memory rather than failing the request. A rate limiter must never
 * turn a Redis outage into an API outage.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private readonly warning = sharedStoreWarning();

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly closeShared: () => void,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): ReturnType<ThrottlerStorage['increment']> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      this.warning.report(err);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.closeShared();
  }
}
