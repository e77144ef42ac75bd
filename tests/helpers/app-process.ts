import { join } from 'node:path';
import { freePort } from './free-port';
import { answers200, ReadyProcess, spawnReady } from './ready-process';

export const ROOT = join(__dirname, '..', '..');
export const BACKEND_MAIN = join(ROOT, 'apps', 'backend', 'dist', 'main.js');

/** `stop()` sends SIGTERM, then SIGKILL after 10 s unless told otherwise. */
export interface AppProcess extends ReadyProcess {
  url: string;
  port: number;
}

export interface StartAppOptions {
  env?: Record<string, string | undefined>;
  /** Path polled until it answers 200 (default: a one-row list). */
  readyPath?: string;
  readyTimeoutMs?: number;
  port?: number;
}

/** Starts the built backend (`npm run build` output, as in production) on a free loopback port. */
export async function startApp(options: StartAppOptions = {}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const readyPath = options.readyPath ?? '/api/businesses?limit=1';
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnReady(process.execPath, [BACKEND_MAIN], {
    name: 'app',
    cwd: ROOT,
    env,
    ready: answers200(url + readyPath),
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    graceMs: 10_000,
  });
  return { url, port, ...proc };
}
