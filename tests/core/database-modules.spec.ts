import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const CLIENT_MODULE = join(ROOT, 'apps', 'backend', 'dist', 'database', 'database.client.js');

/**
 * Connects the built DatabaseClient to PostgreSQL in a fresh Node.js, as main.js does at start, and
 * lists the drizzle-orm and PGlite files it required. An import() of drizzle's driver or migrator
 * would load drizzle's ESM build instead — not in require.cache — which cost 0.85 s of the app's
 * cold start on Node 24 (database.client.ts).
 */
function modulesRequiredByConnect(url: string): string[] {
  const script = `
const { DatabaseClient } = require(${JSON.stringify(CLIENT_MODULE)});
DatabaseClient.connect({ url: process.env.DATABASE_URL, poolMax: 2, statementTimeoutMs: 5000, migrationsDir: ${JSON.stringify(join(ROOT, 'apps', 'backend', 'drizzle'))} })
  .then(async (client) => {
    await client.ping();
    await client.close();
    const loaded = Object.keys(require.cache).filter((f) => f.includes('/drizzle-orm/') || f.includes('/@electric-sql/pglite/'));
    process.stdout.write(JSON.stringify(loaded));
  })
  .catch((err) => { console.error(err); process.exit(1); });
`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as string[]).map((f) => f.slice(f.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

describe.skipIf(await missing('postgres'))('the database client at start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('ecosyste_modules');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("requires drizzle's CommonJS driver and migrator, and never loads PGlite, when DATABASE_URL is set", () => {
    const loaded = modulesRequiredByConnect(db.url);
    expect(loaded).toContain('drizzle-orm/node-postgres/driver.cjs');
    expect(loaded).toContain('drizzle-orm/node-postgres/migrator.cjs');
    expect(loaded.filter((f) => f.startsWith('@electric-sql/pglite'))).toEqual([]);
  });
});
