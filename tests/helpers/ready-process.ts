import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { reachable } from './services';

export interface ReadyProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The stop signal, then SIGKILL after the grace period; resolves with the exit code (null when a signal ended it). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnReadyOptions extends Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'> {
  /** Names the process in errors (default: the command). */
  name?: string;
  /** True once the process serves what the test needs; polled until then. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
  intervalMs?: number;
  /**
   * SIGTERM by default; nginx drains on SIGQUIT instead, and a throw-away daemon whose data
   * nobody reads can take SIGKILL rather than make the test wait for its shutdown.
   */
  stopSignal?: NodeJS.Signals;
  graceMs?: number;
}

/**
 * Spawns a server and resolves once `ready` says it serves, or fails with its output as soon as it
 * exits. Every server a test starts (the app, nginx, Prometheus, exporters…) needs the same start,
 * wait and stop; a copy that forgets the SIGKILL fallback or the early exit hangs its whole file.
 */
export async function spawnReady(command: string, args: string[], options: SpawnReadyOptions): Promise<ReadyProcess> {
  const { name = command, ready, timeoutMs = 30_000, intervalMs = 100, stopSignal = 'SIGTERM', graceMs = 5000 } = options;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, uid: options.uid, gid: options.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let running = true;
  // A command that can't be spawned (ENOENT, EACCES) reports 'error' and never 'exit'.
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => ((running = false), resolve(code)));
    child.once('error', (err) => ((running = false), (out += `${err.message}\n`), resolve(null)));
  });

  const proc: ReadyProcess = {
    child,
    output: () => out,
    stop: async (grace = graceMs) => {
      if (!running) return child.exitCode;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), grace);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`);
    if (await ready()) return proc;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await proc.stop(1000);
  throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${out}`);
}

/** A readiness probe: `url` answers 200. */
export function answers200(url: string, timeoutMs = 1000): () => Promise<boolean> {
  return () => fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.status === 200, () => false);
}

/** True when something accepts TCP connections on the loopback port. */
export function listening(port: number, timeoutMs = 500): Promise<boolean> {
  return reachable('127.0.0.1', port, timeoutMs);
}
