import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { writeInPlace } from './sonic-boom-in-place';

type Sonic = EventEmitter & { write(data: Buffer): boolean; end(): void; _writingBuf: Buffer; _actualWrite: () => void };

describe('writeInPlace', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function openSonic(options: { sync: boolean; contentMode?: 'buffer' | 'utf8' }): Promise<{ sonic: Sonic; file: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'sonic-'));
    dirs.push(dir);
    const file = join(dir, 'out.log');
    const sonic = pino.destination({ dest: file, minLength: 0, contentMode: 'buffer', ...options }) as unknown as Sonic;
    await once(sonic, 'ready');
    return { sonic, file };
  }

  it('has this version of SonicBoom write a buffer itself, not a copy, and everything still arrives in order', async () => {
    const { sonic, file } = await openSonic({ sync: false });
    const own = sonic._actualWrite;
    expect(writeInPlace(sonic)).toBe(true);
    // Replaced on every Node (SonicBoom copies only on Node 22.7 and later, such as the image's).
    expect(sonic._actualWrite).not.toBe(own);
    const first = Buffer.from('first line\n');
    sonic.write(first);
    // Being written now, asynchronously: the very buffer it was given.
    expect(sonic._writingBuf).toBe(first);
    // These queue behind it and leave together.
    const rest = Array.from({ length: 100 }, (_, i) => Buffer.from(`line ${i}\n`));
    for (const buffer of rest) sonic.write(buffer);
    const closed = once(sonic, 'close');
    sonic.end();
    await closed;
    expect(readFileSync(file, 'utf8')).toBe(['first line', ...rest.map((_, i) => `line ${i}`)].join('\n') + '\n');
  });

  it('leaves a synchronous SonicBoom, one in text mode, or any other stream, as it is', async () => {
    for (const options of [{ sync: true }, { sync: false, contentMode: 'utf8' as const }]) {
      const { sonic } = await openSonic(options);
      const own = sonic._actualWrite;
      expect(writeInPlace(sonic)).toBe(false);
      expect(sonic._actualWrite).toBe(own);
      sonic.end();
    }
    expect(writeInPlace(new EventEmitter())).toBe(false);
  });
});
