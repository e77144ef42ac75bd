import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

const WARN_EVERY_MS = 30_000;

/**
 * Counts in the shared store (Redis) so a limit holds across replicas; when that store fails, each
 * replica counts on its own in memory rather than failing the request. A rate limiter must never
 * turn a Redis outage into an API outage.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new ThrottlerStorageService();
  private lastWarning = 0;

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly closeShared: () => void,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): ReturnType<ThrottlerStorage['increment']> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      if (Date.now() - this.lastWarning > WARN_EVERY_MS) {
        this.lastWarning = Date.now();
        this.logger.warn(`shared rate-limit store unavailable, counting per replica: ${(err as Error).message}`);
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.closeShared();
  }
}
