import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
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
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
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
