import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { missing } from '../helpers/services';
import { createTestDatabase, queryOnce, TestDatabase } from '../helpers/test-database';
import { BACKUP_SH, FULL_BACKUP_SH, RESTORE_SH, runScript, tableChecksums, tempDir } from './support';

const postgresMissing = await missing('postgres');
const archivesIn = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('full_backup_')).sort();

describe('backup.sh failures and retention', () => {
  let dir: string;

  beforeAll(() => {
    dir = tempDir('backup-failures');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails loudly with PostgreSQL down and leaves no archive, no metric', async () => {
    const backups = join(dir, 'down');
    const metricsFile = join(dir, 'down.prom');
    const result = await runScript(BACKUP_SH, [], {
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/ecosyste`,
      BACKUP_DIR: backups,
      BACKUP_METRICS_FILE: metricsFile,
    });
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backup failed: PostgreSQL unreachable: .*Connection refused/);
    expect(readdirSync(backups).filter((f) => f !== '.backup.lock')).toEqual([]);
    expect(existsSync(metricsFile)).toBe(false);
  });

  it('refuses to start without DATABASE_URL, or with S3_BUCKET but no aws CLI, in one line', async () => {
    const noUrl = await runScript(BACKUP_SH, [], { BACKUP_DIR: join(dir, 'nourl') });
    expect(noUrl.status).not.toBe(0);
    expect(noUrl.stderr.trim()).toBe('backup failed: DATABASE_URL is not set');

    // A PATH holding everything backup.sh needs except aws.
    const bin = join(dir, 'bin-without-aws');
    mkdirSync(bin);
    for (const tool of ['bash', 'psql', 'pg_dump', 'tar', 'gzip', 'sha256sum', 'flock', 'mkdir', 'date', 'dirname']) {
      execFileSync('ln', ['-s', execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool)]);
    }
    const noAws = await runScript(BACKUP_SH, [], {
      PATH: bin,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      BACKUP_DIR: join(dir, 'noaws'),
      S3_BUCKET: 'ecosyste-backups',
    });
    expect(noAws.status).not.toBe(0);
    expect(noAws.stderr.trim()).toBe('backup failed: aws is not installed (S3_BUCKET is set: install the aws CLI or unset S3_BUCKET)');
    expect(archivesIn(join(dir, 'noaws'))).toEqual([]);
  });

  it('refuses to run beside another backup of the same directory', async () => {
    const backups = join(dir, 'locked');
    mkdirSync(backups);
    // What a running backup.sh holds: an flock on .backup.lock.
    const holder = spawn('flock', [join(backups, '.backup.lock'), 'sleep', '30'], { stdio: 'ignore', detached: true });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const result = await runScript(BACKUP_SH, [], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', BACKUP_DIR: backups });
      expect(result.status).not.toBe(0);
      expect(result.stderr.trim()).toBe(`backup failed: another backup is running in ${backups}`);
    } finally {
      // The whole group: sleep inherited the locked descriptor.
      process.kill(-holder.pid!, 'SIGKILL');
    }
  });

  it('--prune removes archives older than BACKUP_RETENTION_DAYS, and never the newest', async () => {
    const backups = join(dir, 'prune');
    mkdirSync(backups);
    const touch = (name: string, daysAgo: number) => {
      writeFileSync(join(backups, name), 'x');
      execFileSync('touch', ['-d', `${daysAgo} days ago`, join(backups, name)]);
    };
    touch('full_backup_20200101_020000.tar.gz', 40);
    touch('full_backup_20200102_020000.tar.gz.age', 30);
    touch('full_backup_20200103_020000.tar.gz', 20);
    touch('notes.txt', 90);

    const result = await runScript(BACKUP_SH, ['--prune'], { BACKUP_DIR: backups, BACKUP_RETENTION_DAYS: '7' });
    expect(result.status, result.stderr).toBe(0);
    // Every archive is past retention; the newest survives anyway: it may be the only good one.
    expect(archivesIn(backups)).toEqual(['full_backup_20200103_020000.tar.gz']);
    expect(existsSync(join(backups, 'notes.txt'))).toBe(true);

    const bad = await runScript(BACKUP_SH, ['--prune'], { BACKUP_DIR: backups, BACKUP_RETENTION_DAYS: 'a week' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('BACKUP_RETENTION_DAYS must be a whole number');
  });

  describe.skipIf(postgresMissing)('against PostgreSQL', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('ecosyste_backup_ret');
      await queryOnce(database.url, 'CREATE TABLE businesses (id serial PRIMARY KEY, name text NOT NULL)');
      await queryOnce(database.url, "INSERT INTO businesses (name) SELECT 'b' || g FROM generate_series(1, 50) g");
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('a successful backup removes only archives older than N days', async () => {
      const backups = join(dir, 'retention');
      mkdirSync(backups);
      const old = 'full_backup_20200101_020000.tar.gz';
      const recent = 'full_backup_20200108_020000.tar.gz';
      writeFileSync(join(backups, old), 'x');
      writeFileSync(join(backups, recent), 'x');
      execFileSync('touch', ['-d', '4 days ago', join(backups, old)]);
      execFileSync('touch', ['-d', '2 days ago', join(backups, recent)]);
      // Leftovers of a run that was killed mid-way.
      mkdirSync(join(backups, '.work.dead01'));
      writeFileSync(join(backups, '.full_backup_20200108_030000.tar.gz.partial'), 'half');

      const result = await runScript(BACKUP_SH, [], { DATABASE_URL: database.url, BACKUP_DIR: backups, BACKUP_RETENTION_DAYS: '3' });
      expect(result.status, result.stderr).toBe(0);
      const left = archivesIn(backups);
      expect(left).toHaveLength(2);
      expect(left).toContain(recent);
      expect(left).not.toContain(old);
      expect(readdirSync(backups).filter((f) => f.startsWith('.') && f !== '.backup.lock')).toEqual([]);
    });

    it('full_backup.sh keeps weekly archives apart, and the success time can be pushed to a Pushgateway', async () => {
      const pushed: Array<{ method?: string; url?: string; body: string }> = [];
      const gateway = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          pushed.push({ method: req.method, url: req.url, body });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
      try {
        const backups = join(dir, 'weekly-root');
        const result = await runScript(FULL_BACKUP_SH, [], {
          DATABASE_URL: database.url,
          BACKUP_DIR: backups,
          BACKUP_PUSHGATEWAY_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`,
        });
        expect(result.status, result.stderr).toBe(0);
        expect(archivesIn(join(backups, 'weekly'))).toHaveLength(1);
        expect(result.stdout).toContain('older than 35 day(s)');
        expect(pushed).toHaveLength(1);
        expect(pushed[0]).toMatchObject({ method: 'POST', url: '/metrics/job/ecosyste_backup' });
        expect(pushed[0].body).toMatch(/^ecosyste_backup_last_success_timestamp_seconds \d+$/m);
        execFileSync('promtool', ['check', 'metrics'], { input: pushed[0].body });
      } finally {
        await new Promise((r) => gateway.close(r));
      }
    });

    it('encrypts to an age recipient and restores with the identity', async () => {
      const keyFile = join(dir, 'age.key');
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
      const recipient = /public key: (age1\w+)/.exec(readFileSync(keyFile, 'utf8'))![1];
      const backups = join(dir, 'age');
      const made = await runScript(BACKUP_SH, [], { DATABASE_URL: database.url, BACKUP_DIR: backups, BACKUP_ENCRYPT_RECIPIENT: recipient });
      expect(made.status, made.stderr).toBe(0);
      const [archive] = archivesIn(backups);
      expect(archive).toMatch(/\.tar\.gz\.age$/);
      // No plaintext copy is left behind.
      expect(readdirSync(backups).filter((f) => f.endsWith('.tar.gz'))).toEqual([]);

      const target = await createTestDatabase('ecosyste_backup_age');
      try {
        const noKey = await runScript(RESTORE_SH, [join(backups, archive)], { DATABASE_URL: target.url });
        expect(noKey.stderr).toContain('BACKUP_DECRYPT_IDENTITY');
        const restored = await runScript(RESTORE_SH, [join(backups, archive)], { DATABASE_URL: target.url, BACKUP_DECRYPT_IDENTITY: keyFile });
        expect(restored.status, restored.stderr).toBe(0);
        expect(await tableChecksums(target.url)).toEqual(await tableChecksums(database.url));
      } finally {
        await target.drop();
      }
    });

    it('encrypts to a gpg recipient and restores with the keyring', async () => {
      const gnupghome = join(dir, 'gnupg');
      mkdirSync(gnupghome, { mode: 0o700 });
      const gpgEnv = { ...process.env, GNUPGHOME: gnupghome };
      execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'ECOSYSTE backups <backups@ecosyste.test>', 'future-default', 'default', 'never'], {
        env: gpgEnv,
        stdio: 'ignore',
      });
      const backups = join(dir, 'gpg');
      const env = { DATABASE_URL: database.url, BACKUP_DIR: backups, GNUPGHOME: gnupghome };
      const made = await runScript(BACKUP_SH, [], { ...env, BACKUP_ENCRYPT_RECIPIENT: 'backups@ecosyste.test' });
      expect(made.status, made.stderr).toBe(0);
      const [archive] = archivesIn(backups);
      expect(archive).toMatch(/\.tar\.gz\.gpg$/);

      const target = await createTestDatabase('ecosyste_backup_gpg');
      try {
        const restored = await runScript(RESTORE_SH, [join(backups, archive)], { DATABASE_URL: target.url, GNUPGHOME: gnupghome });
        expect(restored.status, restored.stderr).toBe(0);
        expect(await tableChecksums(target.url)).toEqual(await tableChecksums(database.url));
      } finally {
        await target.drop();
        execFileSync('gpgconf', ['--kill', 'all'], { env: gpgEnv, stdio: 'ignore' });
      }
    });

    it('uploads to S3 with the endpoint override and restores from s3://', async () => {
      // A stand-in for the aws CLI (no S3 here): it records its arguments and copies files
      // between the local path and a directory playing the bucket.
      const bin = join(dir, 'fake-aws');
      const bucketDir = join(dir, 'bucket');
      mkdirSync(bin);
      mkdirSync(bucketDir);
      writeFileSync(
        join(bin, 'aws'),
        `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "${dir}/aws-calls.log"
[[ "$1 $2" == "s3 cp" ]] || exit 2
args=("\${@:3}"); src="" dst=""
for a in "\${args[@]}"; do case "$a" in --*|http*) ;; *) if [[ -z "$src" ]]; then src=$a; else dst=$a; fi ;; esac; done
map() { [[ "$1" == s3://* ]] && echo "${bucketDir}/\${1#s3://}" || echo "$1"; }
mkdir -p "$(dirname "$(map "$dst")")"
cp "$(map "$src")" "$(map "$dst")"
`,
      );
      chmodSync(join(bin, 'aws'), 0o755);
      const env = { PATH: `${bin}:${process.env.PATH}`, S3_ENDPOINT_URL: 'http://127.0.0.1:9000' };
      const backups = join(dir, 's3');
      const made = await runScript(BACKUP_SH, [], {
        ...env,
        DATABASE_URL: database.url,
        BACKUP_DIR: backups,
        S3_BUCKET: 'ecosyste-backups',
        S3_PREFIX: 'daily/',
      });
      expect(made.status, made.stderr).toBe(0);
      const [archive] = archivesIn(backups);
      expect(readFileSync(join(dir, 'aws-calls.log'), 'utf8')).toContain(
        `s3 cp --only-show-errors ${join(backups, archive)} s3://ecosyste-backups/daily/${archive} --endpoint-url http://127.0.0.1:9000`,
      );
      // The local copy stays.
      expect(existsSync(join(backups, archive))).toBe(true);

      const target = await createTestDatabase('ecosyste_backup_s3');
      try {
        const restored = await runScript(RESTORE_SH, [`s3://ecosyste-backups/daily/${archive}`], { ...env, DATABASE_URL: target.url });
        expect(restored.status, restored.stderr).toBe(0);
        expect((await queryOnce(target.url, 'SELECT count(*)::int AS n FROM businesses'))[0]).toEqual({ n: 50 });
      } finally {
        await target.drop();
      }
    });
  });
});
