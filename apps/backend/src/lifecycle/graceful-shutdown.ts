import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { ShutdownState } from './shutdown.state';

/**
 * SIGTERM/SIGINT: readiness turns 503, the server stops accepting, in-flight requests finish (up to
 * `timeoutMs`, then their connections are cut), the pool and Redis close, and the process exits 0
 * (1 when the drain timed out). Nest's own enableShutdownHooks re-raises the signal instead, which
 * Kubernetes and compose report as a crash.
 */
export function installGracefulShutdown(
  app: NestFastifyApplication,
  timeoutMs: number,
  logger: LoggerService,
  flushTelemetry: () => Promise<void> = async () => undefined,
): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return; // a second signal while draining changes nothing
    started = true;
    void shutdown(signal);
  };

  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    logger.log(`${signal} received: draining in-flight requests (up to ${timeoutMs} ms)`);
    app.get(ShutdownState).begin();
    const server = app.getHttpServer() as Server;
    let timedOut = false;
    const drainTimer = setTimeout(() => {
      timedOut = true;
      logger.warn(`requests still running after ${timeoutMs} ms: closing their connections`);
      server.closeAllConnections();
    }, timeoutMs);
    // Last resort if closing the pool or Redis hangs as well.
    const hardTimer = setTimeout(() => process.exit(1), timeoutMs + 5000);
    hardTimer.unref();
    let code = 0;
    try {
      await app.close();
    } catch (err) {
      logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
      code = 1;
    }
    clearTimeout(drainTimer);
    if (timedOut) code = 1;
    // The last spans are still in the batch processor's buffer.
    await flushTelemetry().catch(() => undefined);
    process.exit(code);
  }

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
