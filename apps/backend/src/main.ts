import './pin-runtime-shapes';
import { shutdownTracing } from './instrument';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config.loader';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';

// Node's default accept queue holds 511 connections. A burst of 1000 new ones (the seed's load
// test, clients reconnecting after a restart) overflowed it while the app was busy: the kernel
// dropped their SYNs, and clients resend a SYN only after a second. The kernel caps this value
// at net.core.somaxconn (4096 by default since Linux 5.4).
const LISTEN_BACKLOG = 4096;

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  installGracefulShutdown(app, config.shutdown.timeoutMs, new Logger('Shutdown'), shutdownTracing);
  await app.listen({ port: config.server.port, host: config.server.host, backlog: LISTEN_BACKLOG });
}

bootstrap().catch((err: unknown) => {
  // A bad configuration is one readable line, not a stack trace.
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
