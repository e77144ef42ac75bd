import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { queryOnce } from '../helpers/test-database';
import { tempDir } from './support';

// Point-in-time recovery with the repository's own pgbackrest.conf and archiving.conf, on a
// throw-away cluster: only the repository moves from S3 to a local directory.
// The newest server installed (Debian layout), the one pgBackRest will find beside it.
const PG_BIN = join(
  '/usr/lib/postgresql',
  readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0],
  'bin',
);
const STANZA = 'ecosyste';

describe('PITR with pgBackRest', () => {
  let dir: string;
  let data: string;
  let port: number;
  let env: Record<string, string>;

  const asPostgres = (command: string[], timeout = 60_000) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command], {
      encoding: 'utf8',
      timeout,
    });
    if (result.status !== 0) throw new Error(`${command.slice(0, 3).join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  const pgCtl = (...args: string[]) => asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'postgres.log'), ...args]);
  const pgbackrest = (...args: string[]) => asPostgres(['pgbackrest', `--stanza=${STANZA}`, ...args], 90_000);
  const sql = <T extends object>(text: string) => queryOnce<T>({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' }, text);

  beforeAll(async () => {
    dir = tempDir('pitr');
    data = join(dir, 'data');
    for (const sub of ['repo', 'spool', 'log', 'lock', 'run']) mkdirSync(join(dir, sub));
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    port = await freePort();
    // Environment variables override the configuration file: everything here is the shipped
    // file except where the repository lives, the paths, and the port.
    env = {
      PGBACKREST_CONFIG: join(ROOT, 'backup/pgbackrest/pgbackrest.conf'),
      PGBACKREST_REPO1_TYPE: 'posix',
      PGBACKREST_REPO1_PATH: join(dir, 'repo'),
      PGBACKREST_REPO1_CIPHER_PASS: 'test-only-cipher-pass',
      PGBACKREST_SPOOL_PATH: join(dir, 'spool'),
      PGBACKREST_LOG_PATH: join(dir, 'log'),
      PGBACKREST_LOCK_PATH: join(dir, 'lock'),
      PGBACKREST_PG1_PATH: data,
      PGBACKREST_PG1_PORT: String(port),
      PGBACKREST_PG1_SOCKET_PATH: join(dir, 'run'),
      PGBACKREST_LOG_LEVEL_CONSOLE: 'warn',
    };
    asPostgres([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `include '${join(ROOT, 'backup/postgresql/archiving.conf')}'`,
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${join(dir, 'run')}'`,
        'fsync = off',
        '',
      ].join('\n'),
    );
    pgCtl('-w', 'start');
    pgbackrest('stanza-create');
    pgbackrest('--type=full', 'backup');
  });

  afterAll(() => {
    // Stopped even when a test failed half-way; a cluster that never started just errors here.
    if (data) {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // not running
      }
    }
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
    pgCtl('-m', 'immediate', 'stop');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { mode: 0o700 });
    execFileSync('chown', ['postgres:postgres', data]);

    pgbackrest('--type=time', `--target=${target}`, '--target-action=promote', 'restore');
    pgCtl('-w', '-t', '60', 'start');
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
