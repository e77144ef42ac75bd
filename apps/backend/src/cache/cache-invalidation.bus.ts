import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { redisRetryStrategy } from '../common/redis-client';
import { NearCache } from './near-cache';

export type Invalidation = { key: string } | { group: string };

/**
 * Tells every replica which cached keys and groups a write dropped, over Redis pub/sub, so that
 * each can drop them from its near cache. Every replica on Redis publishes its invalidations,
 * whether or not it keeps a near cache itself.
 *
 * Pub/sub delivers at most once: a replica that is not subscribed when a message is sent never
 * gets it. So the near cache serves only while this subscription is established; it is suspended
 * (emptied and bypassed) as soon as the connection closes, and emptied again once the
 * subscription is back.
 */
export class CacheInvalidationBus {
  private readonly logger = new Logger(CacheInvalidationBus.name);
  private subscriber?: Redis;

  constructor(
    private readonly publisher: Redis,
    readonly channel: string,
  ) {}

  /** Published after the store has dropped the entries, so a replica that rereads gets fresh data. */
  async publish(invalidation: Invalidation): Promise<void> {
    await this.publisher.publish(this.channel, encode(invalidation));
  }

  /** Keeps `near` in step with every replica's invalidations, on a connection of its own. */
  subscribe(url: string, near: NearCache): void {
    const subscriber = new Redis(url, {
      enableOfflineQueue: false,
      // Subscribed by hand on every (re)connection, and only then is the near cache resumed.
      autoResubscribe: false,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: redisRetryStrategy,
    });
    // Connection errors show up as failing commands in CacheService, which reports them.
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => near.suspend());
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => near.resume(),
        (err: Error) => this.logger.warn(`near cache off until Redis reconnects: cannot subscribe to ${this.channel}: ${err.message}`),
      );
    });
    subscriber.on('message', (_channel: string, message: string) => apply(near, message));
    this.subscriber = subscriber;
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect(false);
  }
}

function encode(invalidation: Invalidation): string {
  return 'key' in invalidation ? `key:${invalidation.key}` : `group:${invalidation.group}`;
}

function apply(near: NearCache, message: string): void {
  if (message.startsWith('key:')) near.delete(message.slice(4));
  else if (message.startsWith('group:')) near.dropGroup(message.slice(6));
  // A message this version does not know (a newer replica's): dropping everything is always safe.
  else near.clear();
}
