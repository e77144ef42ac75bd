import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_MAIN, ROOT } from '../helpers/app-process';

const PIN_MODULE = join(ROOT, 'apps', 'backend', 'dist', 'pin-runtime-shapes.js');
const dir = mkdtempSync(join(tmpdir(), 'tick-shape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs nextTick between forced major GCs in a fresh Node.js, with V8 logging every hidden class it
 * creates, and counts those of nextTick's queue entries (their own properties: the async ids, the
 * callback and its arguments). A new one after a GC means the previous one was collected, and that
 * nextTick's optimised code has gone generic (lifecycle/tick-object-shape.ts).
 */
function tickObjectShapes(pin: boolean): number {
  const script = join(dir, `churn-${pin}.js`);
  const log = join(dir, `maps-${pin}.log`);
  writeFileSync(
    script,
    `${pin ? `require(${JSON.stringify(PIN_MODULE)});` : ''}
const noop = () => {};
(async () => {
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 1000; i++) process.nextTick(noop);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    gc();
  }
})();
`,
  );
  const run = spawnSync(process.execPath, ['--expose-gc', '--log-maps', `--logfile=${log}`, '--no-logfile-per-isolate', script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('map-details,'))
    .filter((line) => ['<Symbol: async_id_symbol>', '<Symbol: trigger_async_id_symbol>', '#callback', '#args'].every((part) => line.includes(part))).length;
}

describe('the TickObject shape pin', () => {
  it('is needed: without it, each major GC leaves nextTick a new hidden class to make', () => {
    // Should a Node.js release keep the class alive by itself (or log maps differently), this
    // fails and says so: the pin and this test would then be reviewed together.
    expect(tickObjectShapes(false)).toBeGreaterThan(1);
  });

  it('keeps nextTick on the one hidden class across the same GCs', () => {
    expect(tickObjectShapes(true)).toBe(1);
  });

  it('is the first module the built app loads, before tracing and Nest', () => {
    const firstRequire = /require\("([^"]+)"\)/.exec(readFileSync(BACKEND_MAIN, 'utf8'))?.[1];
    expect(firstRequire).toBe('./pin-runtime-shapes');
  });
});
