import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests because Nest's dependency injection needs emitDecoratorMetadata,
// which esbuild doesn't emit.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    environment: 'node',
    testTimeout: 30_000,
    // Most tests wait on child processes and sockets, not CPU: run more files than cores at once.
    maxWorkers: 4,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/backend/src/**/*.spec.ts'] },
      },
      {
        // In-process app against the real PostgreSQL and Redis of this machine.
        extends: true,
        test: { name: 'integration', include: ['apps/backend/test/**/*.int-spec.ts'] },
      },
      {
        // React components in a simulated DOM. Its own SWC setup: the frontend's tsconfig keeps
        // `jsx: preserve` for Next, so the JSX runtime is named here.
        plugins: [swc.vite({ module: { type: 'es6' }, jsc: { transform: { react: { runtime: 'automatic' } } } })],
        test: { name: 'frontend', include: ['apps/frontend/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // The built app as a process, and every deployment file checked by the tool that reads it.
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/**/*.spec.ts'],
          globalSetup: ['tests/setup/build-app.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
