import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess, ROOT, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, queryOnce, TestDatabase } from '../helpers/test-database';

function seed(args: string[], env: Record<string, string>) {
  return spawnSync('npm', ['run', '--silent', 'db:seed', '--', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.skipIf(await missing('postgres'))('npm run db:seed', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startApp({ env: { DATABASE_URL: database.url } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('writes N deterministic businesses that the API then lists', async () => {
    const result = seed(['--count', '2500'], { DATABASE_URL: database.url });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('done: 2500 businesses');

    // (?limit=1 was cached empty by the readiness probe; the seed writes behind the cache.)
    const listed = (await (await fetch(`${app.url}/api/businesses?limit=3`)).json()) as { total: number };
    expect(listed.total).toBe(2500);

    // Same index, same business: a second database seeded alike holds the same names.
    const rows = await queryOnce(database.url, "SELECT name FROM businesses WHERE name LIKE '% 1234'");
    expect(rows).toHaveLength(1);
  });

  it.each([['--count', '0'], ['--count', 'many']])('refuses %s %s with a one-line reason', (flag, value) => {
    const result = seed([flag, value], { DATABASE_URL: database.url });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--count must be an integer');
  });
});
