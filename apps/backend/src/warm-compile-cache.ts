// Run once while the image is built (Dockerfile.backend), with NODE_COMPILE_CACHE set: loads every
// module main.js loads at start, so Node writes their V8 bytecode into the cache and each container
// starts from it instead of compiling ~1,400 files again (docs/PERFORMANCE.md, "Cold start").
// It loads them only: nothing is configured, connected or started.
import * as nodeModule from 'node:module';

/** Node ≥ 22.10's compile-cache API (not in this project's @types/node, which follows Node 20). */
interface CompileCacheApi {
  enableCompileCache?: (dir?: string) => { status: number; message?: string; directory?: string };
  getCompileCacheDir?: () => string | undefined;
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: Record<string, number> };
}

const api = nodeModule as unknown as CompileCacheApi;

function warm(): string {
  if (!api.enableCompileCache || !api.flushCompileCache || !api.getCompileCacheDir) {
    return `Node ${process.version} has no compile cache (22.10+): nothing to warm`;
  }
  // With NODE_COMPILE_CACHE set Node has enabled it already (ALREADY_ENABLED); else a temporary one.
  const result = api.enableCompileCache();
  const dir = api.getCompileCacheDir();
  if (!dir) throw new Error(`the compile cache could not be enabled: ${result.message ?? `status ${result.status}`}`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./pin-runtime-shapes');
  require('./instrument');
  require('./app.factory');
  require('./config/config.loader');
  require('./lifecycle/graceful-shutdown');
  /* eslint-enable @typescript-eslint/no-require-imports */
  api.flushCompileCache();
  const modules = Object.keys(require.cache).length;
  return `compile cache: ${modules} modules written to ${dir}`;
}

try {
  process.stdout.write(`${warm()}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
