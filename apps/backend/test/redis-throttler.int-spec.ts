import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServer, RedisServer } from '../../../tests/helpers/redis-server';
import { missing } from '../../../tests/helpers/services';
import { RedisThrottlerStorage } from '../src/security/redis-throttler.storage';

// A private redis-server: the test flushes its script cache, which must not touch the shared one.
describe.skipIf(await missing('redis'))('RedisThrottlerStorage', () => {
  let server: RedisServer;
  let client: Redis;
  let storage: RedisThrottlerStorage;

  beforeAll(async () => {
    server = await redisServer();
    client = new Redis(server.url, { keyPrefix: 'rl:' });
    storage = new RedisThrottlerStorage(client);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('counts hits in a window, blocks past the limit for the block duration, per key', async () => {
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage.add('10.0.0.1', 1, 60_000, 3, 30_000, 'default'));
    expect(hits.map((h) => h.totalHits)).toEqual([1, 2, 3, 4]);
    expect(hits.map((h) => h.blockLeftMs > 0)).toEqual([false, false, false, true]);
    expect(hits[0].windowLeftMs).toBe(60_000);
    expect(hits[3].blockLeftMs).toBe(30_000);
    // Still blocked while the block lasts, whatever the count.
    expect((await storage.add('10.0.0.1', 1, 60_000, 3, 30_000, 'default')).blockLeftMs).toBeGreaterThan(29_000);
    // Another client has its own budget.
    expect(await storage.add('10.0.0.2', 1, 60_000, 3, 30_000, 'default')).toEqual({ totalHits: 1, windowLeftMs: 60_000, blockLeftMs: 0 });
    expect(await client.pttl('{default:10.0.0.1}:hits')).toBeGreaterThan(59_000);
  });

  it('adds a batch of hits at once, in the window the first hit started', async () => {
    const first = await storage.add('10.0.0.5', 1, 60_000, 10, 60_000, 'default');
    const batch = await storage.add('10.0.0.5', 4, 60_000, 10, 60_000, 'default');
    expect(batch.totalHits).toBe(5);
    expect(batch.windowLeftMs).toBeLessThanOrEqual(first.windowLeftMs);
    expect(batch.blockLeftMs).toBe(0);
    // A batch that passes the limit blocks like single hits do.
    expect(await storage.add('10.0.0.5', 6, 60_000, 10, 60_000, 'default')).toMatchObject({ totalHits: 11, blockLeftMs: 60_000 });
  });

  it('starts a new window when the previous one expires', async () => {
    await storage.add('10.0.0.3', 1, 150, 1, 150, 'default');
    expect((await storage.add('10.0.0.3', 1, 150, 1, 150, 'default')).blockLeftMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await storage.add('10.0.0.3', 1, 150, 1, 150, 'default')).toMatchObject({ totalHits: 1, blockLeftMs: 0 });
  });

  it('runs the script by its SHA and reloads it after Redis forgot it', async () => {
    const before = await commandCalls(client);
    await storage.add('10.0.0.4', 1, 60_000, 10, 60_000, 'default');
    await storage.add('10.0.0.4', 1, 60_000, 10, 60_000, 'default');
    const after = await commandCalls(client);
    expect(after.evalsha - before.evalsha).toBe(2);
    expect(after.eval - before.eval).toBe(0);
    await client.script('FLUSH');
    expect((await storage.add('10.0.0.4', 1, 60_000, 10, 60_000, 'default')).totalHits).toBe(3);
  });
});

async function commandCalls(client: Redis): Promise<{ eval: number; evalsha: number }> {
  const info = await client.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { eval: calls('eval'), evalsha: calls('evalsha') };
}
