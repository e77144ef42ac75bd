import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './app.mjs';

/**
 * Starts the bare node:http server with the given response; resolves once it listens. `server` and
 * `extraArgs` start another such server instead (bench/lib/floor-server.mjs and its mode).
 */
export async function startCeiling(body, contentType, tmpDir, { server = 'ceiling-server.mjs', extraArgs = [] } = {}) {
  const port = await freePort();
  const file = join(tmpDir, 'ceiling-body.json');
  writeFileSync(file, body);
  const child = spawn(process.execPath, [join(import.meta.dirname, server), String(port), file, contentType, ...extraArgs], {
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
