import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { PgCluster, pgCluster } from '../helpers/pg-cluster';
import { queryOnce } from '../helpers/test-database';
import { tempDir } from './support';

// Point-in-time recovery with the repository's own pgbackrest.conf and archiving.conf, on a
// throw-away cluster: only the repository moves from S3 to a local directory.
const STANZA = 'ecosyste';

describe('PITR with pgBackRest', () => {
  /** pgBackRest's repository, spool, logs and locks. */
  let dir: string;
  let pg: PgCluster;

  const pgbackrest = (...args: string[]) => pg.asPostgres(['pgbackrest', `--stanza=${STANZA}`, ...args], 90_000);
  const sql = <T extends object>(text: string) => queryOnce<T>(pg.url, text);

  beforeAll(async () => {
    dir = tempDir('pitr');
    for (const sub of ['repo', 'spool', 'log', 'lock']) mkdirSync(join(dir, sub));
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    pg = await pgCluster({
      config: [`include '${join(ROOT, 'backup/postgresql/archiving.conf')}'`],
      // The server's environment too (archive_command runs pgBackRest). Environment variables
      // override the configuration file: everything here is the shipped file except where the
      // repository lives, the paths, and the port.
      env: (cluster) => ({
        PGBACKREST_CONFIG: join(ROOT, 'backup/pgbackrest/pgbackrest.conf'),
        PGBACKREST_REPO1_TYPE: 'posix',
        PGBACKREST_REPO1_PATH: join(dir, 'repo'),
        PGBACKREST_REPO1_CIPHER_PASS: 'test-only-cipher-pass',
        PGBACKREST_SPOOL_PATH: join(dir, 'spool'),
        PGBACKREST_LOG_PATH: join(dir, 'log'),
        PGBACKREST_LOCK_PATH: join(dir, 'lock'),
        PGBACKREST_PG1_PATH: cluster.data,
        PGBACKREST_PG1_PORT: String(cluster.port),
        PGBACKREST_PG1_SOCKET_PATH: cluster.dir,
        PGBACKREST_LOG_LEVEL_CONSOLE: 'warn',
      }),
    });
    pgbackrest('stanza-create');
    pgbackrest('--type=full', 'backup');
  });

  afterAll(() => {
    // Stopped even when a test failed half-way.
    pg?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restores to a noted time: rows written before it present, rows after it absent', async () => {
    // pgBackRest records a backup's stop time in whole seconds and restores to a time from the
    // newest backup that stopped before it: the target must fall in a later second.
    await new Promise((r) => setTimeout(r, 1100));
    await sql("CREATE TABLE businesses (id serial PRIMARY KEY, name text NOT NULL, written text NOT NULL)");
    await sql("INSERT INTO businesses (name, written) SELECT 'before ' || g, 'before' FROM generate_series(1, 500) g");
    const [{ target }] = await sql<{ target: string }>("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS target");
    await new Promise((r) => setTimeout(r, 200));
    await sql("INSERT INTO businesses (name, written) SELECT 'after ' || g, 'after' FROM generate_series(1, 300) g");
    await sql("DELETE FROM businesses WHERE name = 'before 1'");

    // Ship the WAL that holds both, as archive_timeout would within a minute.
    const [{ segment }] = await sql<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [{ archived }] = await sql<{ archived: string | null }>('SELECT last_archived_wal AS archived FROM pg_stat_archiver');
      if (archived !== null && archived >= segment) break;
      if (Date.now() > deadline) throw new Error(`WAL ${segment} was not archived in time (last: ${archived})`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // The disaster: the server dies and its volume is gone.
    pg.stop('immediate');
    rmSync(pg.data, { recursive: true, force: true });
    mkdirSync(pg.data, { mode: 0o700 });
    execFileSync('chown', ['postgres:postgres', pg.data]);

    pgbackrest('--type=time', `--target=${target}`, '--target-action=promote', 'restore');
    pg.start();
    const recoveryDeadline = Date.now() + 30_000;
    while ((await sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r) {
      if (Date.now() > recoveryDeadline) throw new Error('recovery did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }

    const rows = await sql<{ written: string; n: number }>('SELECT written, count(*)::int AS n FROM businesses GROUP BY written ORDER BY written');
    expect(rows).toEqual([{ written: 'before', n: 500 }]);
    // The delete came after the target too: the row it removed is back.
    expect(await sql("SELECT 1 FROM businesses WHERE name = 'before 1'")).toHaveLength(1);
    // And the restored server writes again, on a new timeline.
    await sql("INSERT INTO businesses (name, written) VALUES ('after recovery', 'new')");
  });
});
