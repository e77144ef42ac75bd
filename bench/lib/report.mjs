// The printed table and the JSON record of a run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedOf } from './load.mjs';

const pad = (s, n) => String(s).padEnd(n);
const num = (v, digits = 0) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : Number(v).toFixed(digits));

/** rows: { name, value, unit?, goal?, ok? } */
export function printTable(title, rows) {
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  process.stdout.write(`\n${title}\n${'-'.repeat(w + 84)}\n`);
  for (const r of rows) {
    const verdict = r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED';
    process.stdout.write(`${pad(r.name, w)}  ${pad(r.value, 56)} ${pad(r.goal ?? '', 18)} ${verdict}\n`);
  }
}

export function loadLine(r) {
  if (!r) return 'n/a';
  const failures = failedOf(r);
  return `${num(r.rps)} req/s (${num(r.perCpuSecond)}/CPU-s)  p50 ${num(r.p50)} ms  p99 ${num(r.p99)} ms${failures ? `  FAILED ${failures}` : ''}`;
}

export { num };

export function writeResults(root, record) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
