import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config.loader';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
}

bootstrap().catch((err: unknown) => {
  // A bad configuration is one readable line, not a stack trace.
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
