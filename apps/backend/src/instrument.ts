// Loaded before the app's modules (main.ts's imports, right after pin-runtime-shapes): OpenTelemetry
// patches http, pg and ioredis as they are required, so it must be in place before Nest and the
// database driver load.
import { tracingOptionsFromEnv } from './tracing/tracing.options';

let shutdown: () => Promise<void> = async () => undefined;

const options = tracingOptionsFromEnv(process.env);
if (options) {
  // Required only when tracing is on: with no endpoint, none of the SDK is even loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing/tracing.sdk') as typeof import('./tracing/tracing.sdk');
  shutdown = startTracing(options);
}

/** Flushes the spans still batched; called on the way out. */
export function shutdownTracing(): Promise<void> {
  return shutdown();
}
