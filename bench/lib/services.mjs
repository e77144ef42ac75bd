// The bench's own PostgreSQL database and Redis key prefix: created for the run, removed after it,
// so a benchmark never touches the data of the tests or of a developer.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const Redis = require('ioredis');

export const ROOT = join(import.meta.dirname, '..', '..');
export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export async function adminQuery(text, url = PG_ADMIN_URL) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createDatabase(prefix) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Runs a command to completion; resolves with its duration in ms, rejects with its stderr. */
export function run(cmd, args, { env = {}, quiet = true } = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))));
  });
}

/** `npm run db:seed`'s CLI on the built app, timed. */
export function seed(databaseUrl, count) {
  return run(process.execPath, ['apps/backend/dist/database/seed/seed.cli.js', '--count', String(count)], { env: { DATABASE_URL: databaseUrl } });
}

export async function businessIds(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT id FROM businesses ORDER BY random()');
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

export function redisPrefix() {
  return `ecosyste-bench-${randomBytes(4).toString('hex')}:`;
}

/** Removes every key under the prefix (SCAN, never KEYS: the machine's Redis is shared). */
export async function dropRedisPrefix(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
