import './pin-runtime-shapes';
import { shutdownTracing } from './instrument';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config.loader';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  installGracefulShutdown(app, config.shutdown.timeoutMs, new Logger('Shutdown'), shutdownTracing);
  await app.listen({ port: config.server.port, host: config.server.host });
}

bootstrap().catch((err: unknown) => {
  // A bad configuration is one readable line, not a stack trace.
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
