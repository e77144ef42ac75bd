import { ecsFormat } from '@elastic/ecs-pino-format';
import { trace } from '@opentelemetry/api';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { AppConfig } from '../config/app-config';
import { Buffering, prettyStream, rollingFile, stdoutDestination } from './log-destinations';
import { redactSecrets } from './redact';
import { RequestLineWriter } from './request-log';

export interface RootLogger {
  logger: Logger;
  /** The per-request lines, written in batches onto the logger's destination. */
  requestLines: RequestLineWriter;
  /** Flushes and closes the log files (their roll timers would keep the process alive). */
  close(): Promise<void>;
}

/**
 * Keys whose values are never written when an object is logged. Fixed paths only: a leading
 * wildcard (`*.password`) makes pino walk every logged object and cost several times a whole line.
 * The request line itself is built from an allow-list and carries no headers at all.
 */
const REDACT_PATHS = [
  'password',
  'token',
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.password',
  'database.url',
  'redis.url',
];

/**
 * Log lines are written in blocks of at least `minLength` bytes rather than one by one: each
 * asynchronous write is a round trip through libuv's thread pool (~25 µs of CPU), which, one per
 * request line, cost a quarter of a cached read. A batch of request lines (request-log.ts) leaves
 * in one write of up to `maxWrite` bytes, not in SonicBoom's default 16 KiB pieces: at ten
 * thousand requests a second those were a write every 35 lines. Lines wait at most
 * LOG_FLUSH_INTERVAL_MS; they are flushed at shutdown and at exit — a SIGKILL loses at most that much.
 */
const BUFFERING: Buffering = { minLength: 4096, maxWrite: 1 << 20 };
const LOG_FLUSH_INTERVAL_MS = 250;

/** pino options producing Elastic Common Schema lines, with secrets scrubbed from messages and errors. */
export function loggerOptions(config: AppConfig): LoggerOptions {
  const ecs = ecsFormat({
    convertErr: true,
    convertReqRes: false,
    apmIntegration: false,
    serviceName: config.tracing.serviceName,
    serviceVersion: config.version,
    serviceEnvironment: config.env,
  });
  const ecsBindings = ecs.formatters!.bindings!;
  const ecsLog = ecs.formatters!.log!;
  const options: LoggerOptions = {
    ...ecs,
    level: config.logging.level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    formatters: {
      level: ecs.formatters!.level,
      // ecsFormat adds its static fields (ecs.version, service.*) on every bindings call; only the
      // root logger's bindings (with pid/hostname) should carry them, or child lines repeat keys.
      bindings: (bindings) => ('pid' in bindings || 'hostname' in bindings ? ecsBindings(bindings) : bindings),
      log: (object) => {
        const ecsObject = ecsLog(object) as { error?: { message?: string; stack_trace?: string } };
        if (ecsObject.error) {
          if (ecsObject.error.message) ecsObject.error.message = redactSecrets(ecsObject.error.message);
          if (ecsObject.error.stack_trace) ecsObject.error.stack_trace = redactSecrets(ecsObject.error.stack_trace);
        }
        return ecsObject;
      },
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          if (typeof args[i] === 'string') args[i] = redactSecrets(args[i] as string);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  if (config.tracing.enabled) {
    // Links each line to its trace in the APM UI; only installed when tracing is on.
    options.mixin = () => {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { 'trace.id': traceId, 'span.id': spanId };
    };
  }
  return options;
}

export async function createRootLogger(config: AppConfig): Promise<RootLogger> {
  const options = loggerOptions(config);
  const { level, dir } = config.logging;
  const stdout = (config.logging.pretty && prettyStream()) || stdoutDestination(BUFFERING);
  const files = dir && level !== 'silent' ? await Promise.all(['error', 'combined'].map((name) => rollingFile(dir, name, config.logging, BUFFERING))) : [];
  const [error, combined] = files;
  // LOG_DIR: every enabled level to stdout and combined.log, errors to error.log too.
  const destination = files.length ? pino.multistream([{ level, stream: stdout }, { level: 'error', stream: error }, { level, stream: combined }]) : stdout;
  const logger = pino(options, destination);
  const requestLines = new RequestLineWriter(logger);
  const timer = setInterval(() => flushEach([stdout, ...files], (s) => s.flush?.()), LOG_FLUSH_INTERVAL_MS).unref();
  // At exit (a crash's last lines are the ones error.log is for): the pending request lines, then
  // every buffer, synchronously. Each stream on its own: one that can't flush doesn't stop the rest.
  const atExit = () => {
    requestLines.flush();
    flushEach([stdout, ...files], (s) => s.flushSync?.());
  };
  process.once('exit', atExit);
  return {
    logger,
    requestLines,
    close: async () => {
      clearInterval(timer);
      process.off('exit', atExit);
      requestLines.flush();
      logger.flush();
      await Promise.all(files.map((s) => new Promise<void>((resolve) => (s.on('close', resolve), s.end()))));
    },
  };
}

type Flushable = DestinationStream & { flush?(): void; flushSync?(): void };

function flushEach(streams: Flushable[], flush: (stream: Flushable) => void): void {
  for (const stream of streams) {
    try {
      flush(stream);
    } catch {
      // Closed already, or still opening: nothing buffered to save.
    }
  }
}
