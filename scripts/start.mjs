// `npm start`: build what is missing or stale, then run ECOSYSTE on the embedded defaults
// (PGlite under ./data, in-memory cache) with the web UI, at http://localhost:3001.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Newest modification time of any file under the given paths (skipping build output). */
function newest(paths) {
  let latest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const name of readdirSync(p)) {
        if (!['node_modules', '.next', 'out', 'dist'].includes(name)) walk(join(p, name));
      }
    } else latest = Math.max(latest, s.mtimeMs);
  };
  paths.forEach((p) => walk(join(root, p)));
  return latest;
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(join(root, '.build.lock'), { recursive: true, force: true });
    process.exit(result.status ?? 1);
  }
}

/**
 * Two builds in one tree at once (two test runs, or `npm start` beside `npm test`) corrupt each
 * other's output, so builds take turns: mkdir is atomic, the directory is the lock.
 */
function withBuildLock(fn) {
  const lock = join(root, '.build.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than the longest build belongs to a process that died mid-build.
      if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

withBuildLock(() => {
  // tsc is incremental: a no-op build takes a second.
  run('npm', ['run', 'build', '-w', 'apps/backend']);

  // Checked under the lock: whoever held it before may have just built the export.
  const exportIndex = join(root, 'apps/frontend/out/index.html');
  const frontendSources = newest(['apps/frontend']);
  if (!existsSync(exportIndex) || statSync(exportIndex).mtimeMs < frontendSources) {
    run('npm', ['run', 'build', '-w', 'apps/frontend']);
  }
});

// The test suite's global setup shares this step: one build for every end-to-end test.
if (process.argv.includes('--build-only')) process.exit(0);

const env = { SERVE_FRONTEND: 'true', ...process.env };
const child = spawn(process.execPath, [join(root, 'apps/backend/dist/main.js')], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
