import { Socket } from 'node:net';

export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** True when something accepts TCP connections on host:port within the timeout. */
export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * True when the service is missing and the tests that need it should skip. On a laptop that's a
 * skip with a line naming the service; under CI=true a missing service fails the run instead.
 */
export async function missing(service: 'postgres' | 'redis'): Promise<boolean> {
  const url = new URL(service === 'postgres' ? PG_ADMIN_URL : REDIS_TEST_URL);
  const ok = await reachable(url.hostname, Number(url.port || (service === 'postgres' ? 5432 : 6379)));
  if (ok) return false;
  if (process.env.CI === 'true') throw new Error(`${service} is not reachable at ${url.host}, and CI=true forbids skipping`);
  process.stderr.write(`skipping: ${service} is not reachable at ${url.host}\n`);
  return true;
}
