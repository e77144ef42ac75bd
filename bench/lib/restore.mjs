// Restore time of a 1M-business backup. The archive is made once and kept in the OS temp dir, keyed
// by the migrations and the seed generator, so later runs only pay for the restore itself.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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

const BACKUP_SH = join(ROOT, 'scripts', 'backup.sh');
const RESTORE_SH = join(ROOT, 'scripts', 'restore.sh');

/**
 * Returns { rows, method, seedMs?, backupMs?, archiveBytes, restoreMs, restoredRows }. With the
 * project's scripts/backup.sh and scripts/restore.sh present, the archive is theirs and the timed
 * step is `restore.sh` (checksums, unpacking, parallel pg_restore, row check); otherwise a plain
 * `pg_dump -Fc` restored with `pg_restore -j 2`. Either way into a fresh database.
 */
export async function measureRestore({ rows = 1_000_000, fresh = false, log }) {
  const scripts = existsSync(BACKUP_SH) && existsSync(RESTORE_SH);
  const archive = join(tmpdir(), `ecosyste-bench-${rows}-${fingerprint()}${scripts ? '.tar.gz' : '.dump'}`);
  const result = {
    rows,
    method: scripts ? 'scripts/backup.sh, then scripts/restore.sh --skip-redis (timed)' : 'pg_dump -Fc, then pg_restore -j 2 (timed); scripts/restore.sh not present',
  };
  if (fresh || !existsSync(archive)) {
    const source = await createDatabase('ecosyste_bench_src');
    const backupDir = mkdtempSync(join(tmpdir(), 'ecosyste-bench-backup-'));
    try {
      log(`seeding ${rows} businesses for the backup…`);
      result.seedMs = await seed(source.url, rows);
      log('backing up…');
      if (scripts) {
        result.backupMs = await run('bash', [BACKUP_SH], { env: { DATABASE_URL: source.url, BACKUP_DIR: backupDir, REDIS_URL: '' } });
        const made = readdirSync(backupDir).find((f) => /^full_backup_.*\.tar\.gz$/.test(f));
        if (!made) throw new Error(`scripts/backup.sh left no archive in ${backupDir}`);
        renameSync(join(backupDir, made), archive);
      } else {
        result.backupMs = await run('pg_dump', ['-Fc', '-f', `${archive}.tmp`, source.url]);
        renameSync(`${archive}.tmp`, archive);
      }
    } finally {
      rmSync(backupDir, { recursive: true, force: true });
      await source.drop();
    }
  } else {
    result.archiveCached = archive;
  }
  result.archiveBytes = statSync(archive).size;

  const target = await createDatabase('ecosyste_bench_restore');
  try {
    log(`restoring the ${(result.archiveBytes / 2 ** 20).toFixed(0)} MiB archive…`);
    result.restoreMs = scripts
      ? await run('bash', [RESTORE_SH, '--skip-redis', archive], { env: { DATABASE_URL: target.url, REDIS_URL: '' } })
      : await run('pg_restore', ['-j', '2', '--no-owner', '--exit-on-error', '-d', target.url, archive]);
    result.restoredRows = await countRows(target.url);
  } finally {
    await target.drop();
  }
  return result;
}
