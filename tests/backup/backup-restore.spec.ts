import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, queryOnce, seedBusinesses, TestDatabase } from '../helpers/test-database';
import {
  archiveMember,
  BACKUP_SH,
  redisSnapshot,
  RESTORE_SH,
  runScript,
  ScriptResult,
  tableChecksums,
  tempDir,
  ThrowAwayRedis,
  throwAwayRedis,
} from './support';

function expectOk(result: ScriptResult): void {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
}

describe.skipIf(await missing('postgres'))('backup.sh → destroy → restore.sh', () => {
  let database: TestDatabase;
  let spare: TestDatabase;
  let redis: ThrowAwayRedis;
  let backupDir: string;
  let archive: string;
  let rowsBefore: Record<string, string>;
  let redisBefore: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('ecosyste_backup');
    spare = await createTestDatabase('ecosyste_backup_spare');
    // The real schema, as the app's migrator leaves it, then realistic rows.
    const app = await startApp({ env: { DATABASE_URL: database.url } });
    await app.stop();
    seedBusinesses(database.url, 2000);
    // Rows the seed never writes: NULLs, quotes, non-ASCII, a backslash.
    await queryOnce(
      database.url,
      `INSERT INTO businesses (name, category, city, description, phone) VALUES
        ('Café « L''Étoile »', 'restaurant', 'Saint-Étienne', E'deux lignes\\net un \\\\', NULL),
        ('Boulangerie Ñ', 'boulangerie', 'Lyon', NULL, '+33 4 00 00 00 00')`,
    );

    redis = await throwAwayRedis();
    const client = new Redis(redis.url);
    await client.set('ecosyste:businesses:list:1', JSON.stringify({ items: [1, 2, 3] }), 'EX', 3600);
    await client.hset('ecosyste:stats', { hits: '41', misses: '2' });
    await client.rpush('ecosyste:queue', 'a', 'b', 'c');
    await client.select(3);
    await client.set('ecosyste:other-db', 'kept too');
    client.disconnect();

    backupDir = tempDir('backups');
    rowsBefore = await tableChecksums(database.url);
    redisBefore = await redisSnapshot(redis.url);
  });

  afterAll(async () => {
    await redis?.destroy();
    await database?.drop();
    await spare?.drop();
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
  });

  it('writes one timestamped archive with a manifest that describes it, and the success metric', async () => {
    const metricsFile = join(backupDir, 'ecosyste_backup.prom');
    const result = await runScript(BACKUP_SH, [], {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      BACKUP_DIR: backupDir,
      BACKUP_METRICS_FILE: metricsFile,
    });
    expectOk(result);
    expect(result.stdout).toMatch(/Backup completed: full_backup_\d{8}_\d{6}\.tar\.gz \(\d+ bytes, 2002 businesses, redis included\)/);

    const archives = readdirSync(backupDir).filter((f) => f.startsWith('full_backup_'));
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatch(/^full_backup_\d{8}_\d{6}\.tar\.gz$/);
    // Nothing half-written is left beside it.
    expect(readdirSync(backupDir).filter((f) => f.includes('partial') || f.startsWith('.work'))).toEqual([]);
    archive = join(backupDir, archives[0]);

    const manifest = JSON.parse(archiveMember(archive, 'manifest.json'));
    expect(manifest.row_counts['public.businesses']).toBe(2002);
    const [migration] = await queryOnce<{ hash: string; created_at: string }>(
      database.url,
      'SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    );
    expect(manifest.latest_migration).toEqual({ hash: migration.hash, created_at: Number(migration.created_at) });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'apps/backend/package.json'), 'utf8'));
    expect(manifest.app_version).toBe(pkg.version);
    const dump = execFileSync('tar', ['-xzf', archive, '-O', 'database.dump']);
    expect(manifest.files['database.dump']).toEqual({
      size_bytes: dump.length,
      sha256: createHash('sha256').update(dump).digest('hex'),
    });
    expect(manifest.files['redis.rdb'].size_bytes).toBeGreaterThan(0);

    const metrics = readFileSync(metricsFile, 'utf8');
    const stamp = Number(/^ecosyste_backup_last_success_timestamp_seconds (\d+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(stamp - Date.now() / 1000)).toBeLessThan(120);
    expect(metrics).toContain(`ecosyste_backup_last_size_bytes ${statSync(archive).size}`);
    // The node-exporter textfile collector reads the Prometheus text format: promtool must accept it.
    execFileSync('promtool', ['check', 'metrics'], { input: metrics });
  });

  it('restores every row and every Redis key after both are destroyed', async () => {
    await database.drop();
    await queryOnce(spare.url, `CREATE DATABASE ${database.name}`);
    const wiped = new Redis(redis.url);
    await wiped.flushall();
    wiped.disconnect();
    expect(await redisSnapshot(redis.url)).toEqual({});

    const result = await runScript(RESTORE_SH, [archive], {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_START_COMMAND: redis.startCommand,
      REDIS_START_TIMEOUT: '20',
    });
    expectOk(result);
    expect(result.stdout).toMatch(/Restore completed: .*public\.businesses=2002.*redis: restored \(4 keys\), in \d+\.\d s/);

    expect(await tableChecksums(database.url)).toEqual(rowsBefore);
    expect(await redisSnapshot(redis.url)).toEqual(redisBefore);
  });

  it('the app starts on the restored database and serves its businesses', async () => {
    // The migrator finds its journal restored too: nothing to apply, nothing duplicated.
    const app = await startApp({ env: { DATABASE_URL: database.url } });
    try {
      const listed = (await (await fetch(`${app.url}/api/businesses?limit=1&q=Étoile`)).json()) as { total: number; items: { name: string }[] };
      expect(listed.total).toBe(1);
      expect(listed.items[0].name).toBe("Café « L'Étoile »");
    } finally {
      await app.stop();
    }
  });

  it('refuses a database that already holds businesses unless --force', async () => {
    await queryOnce(database.url, "UPDATE businesses SET name = 'changed after the backup' WHERE name LIKE 'Boulangerie Ñ'");
    const env = { DATABASE_URL: database.url };

    const refused = await runScript(RESTORE_SH, ['--skip-redis', archive], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('already holds businesses; pass --force');
    expect((await queryOnce(database.url, "SELECT 1 FROM businesses WHERE name = 'changed after the backup'")).length).toBe(1);

    expectOk(await runScript(RESTORE_SH, ['--force', '--skip-redis', archive], env));
    expect(await tableChecksums(database.url)).toEqual(rowsBefore);
  });

  it('restores into an empty database elsewhere, and says what to do when Redis files are out of reach', async () => {
    const result = await runScript(RESTORE_SH, [archive], {
      DATABASE_URL: spare.url,
      REDIS_URL: redis.url,
      // As from a machine that doesn't see Redis's volume.
      REDIS_DATA_DIR: join(redis.dir, 'not-mounted-here'),
    });
    expectOk(result);
    expect(result.stderr).toContain('Redis was not restored');
    expect(result.stdout).toContain('redis: not restored');
    expect(await tableChecksums(spare.url)).toEqual(rowsBefore);
  });

  it('refuses a damaged archive before touching the database', async () => {
    const env = { DATABASE_URL: spare.url };
    await queryOnce(spare.url, "INSERT INTO businesses (name, category, city) VALUES ('sentinel', 'x', 'y')");
    const dir = tempDir('corrupt');
    try {
      // Bytes flipped in transit: the gzip CRC catches it.
      const flipped = join(dir, 'full_backup_20200101_000000.tar.gz');
      const bytes = readFileSync(archive);
      bytes.fill(0x41, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64);
      writeFileSync(flipped, bytes);
      const crc = await runScript(RESTORE_SH, ['--force', flipped], env);
      expect(crc.status).not.toBe(0);
      expect(crc.stderr).toMatch(/corrupted|unreadable/);

      // A well-formed archive whose dump no longer matches its checksum.
      const unpacked = join(dir, 'x');
      execFileSync('mkdir', [unpacked]);
      execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
      const dump = readFileSync(join(unpacked, 'database.dump'));
      dump[dump.length - 10] ^= 0xff;
      writeFileSync(join(unpacked, 'database.dump'), dump);
      const tampered = join(dir, 'full_backup_20200101_000001.tar.gz');
      execFileSync('tar', ['-czf', tampered, '-C', unpacked, '.']);
      const sum = await runScript(RESTORE_SH, ['--force', tampered], env);
      expect(sum.status).not.toBe(0);
      expect(sum.stderr).toContain('failed its checksums (database.dump differs)');

      expect((await queryOnce(spare.url, "SELECT 1 FROM businesses WHERE name = 'sentinel'")).length).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
