import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ReadyProcess, spawnReady } from './ready-process';

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A throw-away redis-server on a free loopback port, for tests that must stop and restart Redis
 * (the machine's own Redis is shared and never stopped). Restarts keep the same port.
 */
export async function redisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-redis-'));
  let daemon: ReadyProcess | undefined;

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    start: async () => {
      daemon = await spawnReady(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
        // SIGKILL: the outage tests want Redis gone at once, as when it crashes; nothing is kept anyway.
        { ready: () => ping(port), timeoutMs: 5000, intervalMs: 50, stopSignal: 'SIGKILL' },
      );
    },
    stop: async () => {
      await daemon?.stop();
    },
    destroy: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

async function ping(port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}
