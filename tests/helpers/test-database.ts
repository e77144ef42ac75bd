import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, ClientConfig } from 'pg';
import { PG_ADMIN_URL } from './services';

const ROOT = join(__dirname, '..', '..');

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the real server, so test files never see each other's rows. */
export async function createTestDatabase(prefix = 'ecosyste_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await queryOnce(PG_ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await queryOnce(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** One statement on a connection of its own, closed after: for setup and checks, not for load. */
export async function queryOnce<T extends object = Record<string, unknown>>(
  connection: string | ClientConfig,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new Client(typeof connection === 'string' ? { connectionString: connection } : connection);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Seeds N deterministic businesses with the app's own CLI (the built one, as `npm run db:seed`). */
export function seedBusinesses(databaseUrl: string, count: number): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'apps/backend/dist/database/seed/seed.cli.js'), '--count', String(count)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`seeding ${count} businesses failed: ${result.stderr}`);
}
