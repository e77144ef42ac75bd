import { EventEmitter, once } from 'node:events';
import { renameSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DestinationStream } from 'pino';
import { AppConfig } from '../config/app-config';

/** pino-roll ships no types: the part of its SonicBoom stream used here. */
export type RollingStream = DestinationStream & { file: string; fd: number; end(): void; flush(): void; flushSync(): void; on(event: 'ready' | 'close', listener: () => void): void };
const pinoRoll = () => require('pino-roll') as (options: Record<string, unknown>) => Promise<RollingStream>;

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
export async function rollingFile(dir: string, name: string, config: AppConfig['logging'], buffering: { minLength: number; maxWrite: number }): Promise<RollingStream> {
  const stream = await pinoRoll()({
    ...buffering,
    file: join(dir, name),
    extension: '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    size: config.fileMaxSize,
    limit: { count: config.fileKeep },
    mkdir: true,
  });
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
