import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ROOT } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';

export const BACKUP_SH = join(ROOT, 'scripts', 'backup.sh');
export const FULL_BACKUP_SH = join(ROOT, 'scripts', 'full_backup.sh');
export const RESTORE_SH = join(ROOT, 'scripts', 'restore.sh');

export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with only the variables given (plus PATH/HOME), as cron would. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ecosyste-${prefix}-`));
}

/** count and md5 of every row of every user table, keyed by schema.table. */
export async function tableChecksums(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(`
      SELECT format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1`);
    const sums: Record<string, string> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: string; sum: string }>(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${name} t`,
      );
      sums[name] = `${rows[0].n}:${rows[0].sum}`;
    }
    return sums;
  } finally {
    await client.end();
  }
}

/** Files in an archive, read with tar. */
export function archiveMember(archive: string, member: string): string {
  return execFileSync('tar', ['-xzf', archive, '-O', member], { encoding: 'utf8' });
}

export interface ThrowAwayRedis {
  url: string;
  port: number;
  dir: string;
  /** The command that (re)starts it, daemonized: what restore.sh runs after replacing the files. */
  startCommand: string;
  destroy(): Promise<void>;
}

/**
 * A redis-server of our own with AOF on, as docker-compose.prod.yml runs it, so the restore can
 * stop it and replace its files (the machine's shared Redis is never touched).
 */
export async function throwAwayRedis(): Promise<ThrowAwayRedis> {
  // The suite runs in parallel: another test can take the free port before redis-server binds it.
  // Then this server never starts and whatever holds the port answers, so it is checked to be ours.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = tempDir('redis');
    const pidfile = join(dir, 'redis.pid');
    // Redis waits 5 s for more replicas before a diskless SYNC by default; no one else is coming.
    const startCommand = [
      'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes',
      '--save', "''", '--repl-diskless-sync-delay', '0', '--daemonize', 'yes', '--pidfile', pidfile,
      '--logfile', join(dir, 'redis.log'),
    ].join(' ');
    execFileSync('bash', ['-c', startCommand]);
    const url = `redis://127.0.0.1:${port}/0`;
    // Only by its pid file: whatever else answers on the port is somebody else's.
    const removeOurs = () => {
      if (existsSync(pidfile)) {
        try {
          process.kill(Number(readFileSync(pidfile, 'utf8').trim()), 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const destroy = async () => {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 5000 });
      } catch {
        // already stopped
      }
      removeOurs();
    };
    if (await servesFrom(url, dir)) return { url, port, dir, startCommand, destroy };
    removeOurs();
    if (attempt === 5) throw new Error(`no redis-server of our own after ${attempt} ports`);
  }
}

/** Whether the Redis answering at `url` keeps its files in `dir`: ours, not a neighbour's server. */
async function servesFrom(url: string, dir: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 50 ? null : 100) });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const [, served] = (await probe.config('GET', 'dir')) as string[];
    return served === realpathSync(dir);
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Every key of every database with its type, serialized value and whether it expires. */
export async function redisSnapshot(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let db = 0; db < 16; db++) {
    const redis = new Redis(url, { db, maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys('*');
      for (const key of keys.sort()) {
        const [type, dump, pttl] = await Promise.all([redis.type(key), redis.dumpBuffer(key), redis.pttl(key)]);
        out[`${db}/${key}`] = `${type}:${dump?.toString('base64')}:${pttl > 0 ? 'expires' : 'persistent'}`;
      }
    } finally {
      redis.disconnect();
    }
  }
  return out;
}
