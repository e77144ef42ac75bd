import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NODE, freePort } from './app.mjs';

// Headers node:http writes itself on every response (or that depend on the connection).
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * The app's response to one request, as the ceiling replays it: the body bytes and every header
 * the app chose (its security, rate-limit and request-id headers included), frozen at their
 * values of this one response.
 */
export async function recordResponse(url) {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}; the ceiling replays a 200`);
  const headers = {};
  for (const [name, value] of res.headers) if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  return { body, headers };
}

/**
 * Starts the bare node:http server replaying `response` (recordResponse); resolves once it
 * listens. `server` and `extraArgs` start another such server instead (bench/lib/floor-server.mjs
 * and its mode). It runs on the app's Node.js (BENCH_NODE): the ratio compares the work of producing
 * the bytes, not two runtimes' HTTP stacks.
 */
export async function startCeiling(response, tmpDir, { server = 'ceiling-server.mjs', extraArgs = [], nodeArgs = [] } = {}) {
  const port = await freePort();
  const bodyFile = join(tmpDir, 'ceiling-body.json');
  const headersFile = join(tmpDir, 'ceiling-headers.json');
  writeFileSync(bodyFile, response.body);
  writeFileSync(headersFile, JSON.stringify(response.headers));
  const child = spawn(APP_NODE, [...nodeArgs, join(import.meta.dirname, server), String(port), bodyFile, headersFile, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`ceiling server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
