// Restore time of a 1M-business backup. The dump is made once and kept in the OS temp dir, keyed
// by the migrations and the seed generator, so later runs only pay for the restore itself.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery, createDatabase, ROOT, run, seed } from './services.mjs';

function fingerprint() {
  const hash = createHash('sha256');
  const dir = join(ROOT, 'apps/backend/drizzle');
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : hash.update(readFileSync(join(d, e.name)))));
  walk(dir);
  hash.update(readFileSync(join(ROOT, 'apps/backend/src/database/seed/business-generator.ts')));
  return hash.digest('hex').slice(0, 12);
}

async function countRows(url) {
  const { rows } = await adminQuery('SELECT count(*)::int AS n FROM businesses', url);
  return rows[0].n;
}

/**
 * Returns { rows, seedMs?, dumpMs?, dumpBytes, restoreMs, method }. The restore goes into a fresh
 * database with `pg_restore -j <cores>`; the row count is checked afterwards.
 */
export async function measureRestore({ rows = 1_000_000, fresh = false, log }) {
  const dump = join(tmpdir(), `ecosyste-bench-${rows}-${fingerprint()}.dump`);
  const result = { rows, method: 'pg_dump -Fc + pg_restore -j 2 (scripts/restore.sh not present)' };
  if (fresh || !existsSync(dump)) {
    const source = await createDatabase('ecosyste_bench_src');
    try {
      log(`seeding ${rows} businesses for the backup…`);
      result.seedMs = await seed(source.url, rows);
      log(`dumping…`);
      result.dumpMs = await run('pg_dump', ['-Fc', '-f', `${dump}.tmp`, source.url]);
      await run('mv', [`${dump}.tmp`, dump]);
    } finally {
      await source.drop();
    }
  } else {
    result.dumpCached = dump;
  }
  result.dumpBytes = statSync(dump).size;

  const target = await createDatabase('ecosyste_bench_restore');
  try {
    log(`restoring ${(result.dumpBytes / 2 ** 20).toFixed(0)} MiB dump…`);
    result.restoreMs = await run('pg_restore', ['-j', '2', '--no-owner', '--exit-on-error', '-d', target.url, dump]);
    result.restoredRows = await countRows(target.url);
  } finally {
    await target.drop();
  }
  return result;
}
