import { EventEmitter, once } from 'node:events';
import { renameSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import pino, { DestinationStream } from 'pino';
import { AppConfig } from '../config/app-config';
import type { WriteProgress } from './batch-buffers';
import { writeInPlace } from './sonic-boom-in-place';

/** pino-roll ships no types: the part of its SonicBoom stream used here. */
export type RollingStream = DestinationStream & { file: string; fd: number; end(): void; flush(): void; flushSync(): void; on(event: 'ready' | 'close', listener: () => void): void };
const pinoRoll = () => require('pino-roll') as (options: Record<string, unknown>) => Promise<RollingStream>;

/** How a destination buffers: see logger.factory.ts. */
export interface Buffering {
  minLength: number;
  maxWrite: number;
}

const PROGRESS = new WeakMap<object, WriteProgress>();

/** How far a destination made here has got (batch-buffers.ts); undefined for any other stream. */
export function writeProgressOf(stream: object): WriteProgress | undefined {
  return PROGRESS.get(stream);
}

/**
 * SonicBoom in its byte mode, still taking pino's strings. In its text mode it measures every
 * string it is given in UTF-8 bytes (which first flattens a batch of request lines into one
 * string), encodes it again to write it and once more when the write returns: three passes over
 * each batch, more CPU than building its lines. The request lines arrive already encoded
 * (request-log.ts), once; pino's own, rarer lines are encoded here.
 *
 * It also counts the bytes it is given and those SonicBoom reports written ('write'), so that the
 * request lines' buffers can be reused once written out (batch-buffers.ts), and has SonicBoom write
 * them without a copy of its own (sonic-boom-in-place.ts).
 */
function acceptingStrings<T extends DestinationStream>(stream: T): T {
  const bytes = stream as unknown as { write(data: string | Buffer): boolean; on(event: 'write', listener: (n: number) => void): void };
  const writeBytes = bytes.write.bind(stream);
  const progress: WriteProgress = { accepted: 0, written: 0 };
  bytes.write = (data) => {
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    progress.accepted += buffer.length;
    return writeBytes(buffer);
  };
  bytes.on('write', (n) => (progress.written += n));
  PROGRESS.set(stream, progress);
  writeInPlace(stream);
  return stream;
}

/** stdout as production writes it: asynchronous, in blocks (Buffering), bytes in and out. */
export function stdoutDestination(buffering: Buffering): DestinationStream {
  return byteDestination(1, buffering);
}

/** A file descriptor or path written as stdout is (stdoutDestination). */
export function byteDestination(dest: number | string, buffering: Buffering): DestinationStream {
  return acceptingStrings(pino.destination({ dest, sync: false, ...buffering, contentMode: 'buffer' }));
}

/** Development's human-readable console; pino-pretty is a development dependency, absent from images. */
export function prettyStream(): DestinationStream | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', messageKey: 'message', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

/**
 * A rolling file (by size and by day, `keep` files kept) with a stable `<name>.log` symlink to the
 * current one, so `logs/error.log` and `logs/combined.log` are where the seed expects them.
 */
export async function rollingFile(dir: string, name: string, config: AppConfig['logging'], buffering: Buffering): Promise<RollingStream> {
  const stream = acceptingStrings(
    await pinoRoll()({
      ...buffering,
      contentMode: 'buffer',
      file: join(dir, name),
      extension: '.log',
      frequency: 'daily',
      dateFormat: 'yyyy-MM-dd',
      size: config.fileMaxSize,
      limit: { count: config.fileKeep },
      mkdir: true,
    }),
  );
  const link = join(dir, `${name}.log`);
  const relink = () => {
    // Replace the link atomically: a reader never finds it missing.
    const tmp = `${link}.${process.pid}.tmp`;
    try {
      symlinkSync(basename(stream.file), tmp);
      renameSync(tmp, link);
    } catch {
      // A read-only or odd filesystem: the dated files are still written.
    }
  };
  relink();
  stream.on('ready', relink);
  // Opened before the app starts: a crash in its first moments still finds the file to flush into.
  if (stream.fd < 0) await once(stream as unknown as EventEmitter, 'ready');
  return stream;
}
