// Run once while the image is built (Dockerfile.backend), with NODE_COMPILE_CACHE set: loads every
// module main.js loads at start, so Node writes their V8 bytecode into the cache and each container
// starts from it instead of compiling ~1,500 files again (docs/PERFORMANCE.md, "Cold start").
// Nothing is configured or connected: it loads modules, and readies a bare Fastify server.
import * as nodeModule from 'node:module';

/** Node ≥ 22.10's compile-cache API (not in this project's @types/node, which follows Node 20). */
interface CompileCacheApi {
  enableCompileCache?: () => { status: number; message?: string };
  getCompileCacheDir?: () => string | undefined;
  flushCompileCache?: () => void;
}

const api = nodeModule as unknown as CompileCacheApi;

async function warm(): Promise<string> {
  if (!api.enableCompileCache || !api.flushCompileCache || !api.getCompileCacheDir) {
    return `Node ${process.version} has no compile cache (22.10+): nothing to warm`;
  }
  // With NODE_COMPILE_CACHE set Node has enabled it already (ALREADY_ENABLED); else a temporary one.
  const result = api.enableCompileCache();
  const dir = api.getCompileCacheDir();
  if (!dir) throw new Error(`the compile cache could not be enabled: ${result.message ?? `status ${result.status}`}`);
  // Required only now, once the cache is on. main.ts's own imports, without its bootstrap(): they
  // reach the rest of the app's modules.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./pin-runtime-shapes');
  require('./instrument');
  require('./app.factory');
  require('./config/config.loader');
  require('./lifecycle/graceful-shutdown');
  const { FastifyAdapter } = require('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // What the app loads only once its server gets ready (Fastify's schema compilers, ajv, Nest's
  // middleware runner): ~120 more modules, which a start without them compiled anew.
  const adapter = new FastifyAdapter();
  await adapter.init();
  await adapter.getInstance().ready();
  await adapter.close();
  api.flushCompileCache();
  const modules = Object.keys(require.cache).length;
  return `compile cache: ${modules} modules written to ${dir}`;
}

warm().then(
  (done) => process.stdout.write(`${done}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
