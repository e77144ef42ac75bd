import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import { createTestDatabase, TestDatabase } from '../../../tests/helpers/test-database';
import { loadConfig } from '../src/config/config.loader';
import { DatabaseClient } from '../src/database/database.client';
import { DatabaseSeeder } from '../src/database/seed/database.seeder';

const migrationsDir = join(__dirname, '..', 'drizzle');

describe.skipIf(await missing('postgres'))('database on PostgreSQL', () => {
  let database: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  it('applies the migrations once when three replicas start at the same moment', async () => {
    const config = loadConfig({ DATABASE_URL: database.url, MIGRATIONS_DIR: migrationsDir, DATABASE_POOL_MAX: '2' });
    const clients = await Promise.all([1, 2, 3].map(() => DatabaseClient.connect(config.database)));
    await Promise.all(clients.map((c) => c.close()));

    const applied = await sql.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    const files = (await import('node:fs')).readdirSync(migrationsDir).filter((f) => f.endsWith('.sql'));
    expect(applied.rows[0].n).toBe(files.length);
    const table = await sql.query("SELECT to_regclass('public.businesses') AS t");
    expect(table.rows[0].t).toBe('businesses');
    // A restart finds nothing left to do and doesn't fail.
    const again = await DatabaseClient.connect(config.database);
    await again.close();
    expect((await sql.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n).toBe(files.length);
  });

  describe('with 100,000 businesses', () => {
    beforeAll(async () => {
      const config = loadConfig({ DATABASE_URL: database.url, MIGRATIONS_DIR: migrationsDir });
      const client = await DatabaseClient.connect(config.database);
      await new DatabaseSeeder(client.db).seed(100_000);
      await client.close();
      await sql.query('VACUUM ANALYZE businesses');
    }, 120_000);

    // The queries BusinessRepository sends, with the parameters it binds.
    const plans: [string, string, unknown[]][] = [
      ['the plain list', 'SELECT * FROM businesses ORDER BY name, id LIMIT 20 OFFSET 0', []],
      ['a deep page', 'SELECT * FROM businesses ORDER BY name, id LIMIT 20 OFFSET 5000', []],
      ['a category filter', 'SELECT * FROM businesses WHERE lower(category) = $1 ORDER BY name, id LIMIT 20', ['boulangerie']],
      ['a city filter', 'SELECT * FROM businesses WHERE lower(city) = $1 ORDER BY name, id LIMIT 20', ['lyon']],
      ['a count by city', 'SELECT count(*) FROM businesses WHERE lower(city) = $1', ['lyon']],
      ['a text search', "SELECT * FROM businesses WHERE lower(name || ' ' || coalesce(description, '')) LIKE $1 ORDER BY name, id LIMIT 20", ['%fromagerie bio%']],
      ['a search count', "SELECT count(*) FROM businesses WHERE lower(name || ' ' || coalesce(description, '')) LIKE $1", ['%dupont 12%']],
      ['a detail read', 'SELECT * FROM businesses WHERE id = $1', ['00000000-0000-4000-8000-000000000000']],
    ];

    it.each(plans)('%s uses an index, no sequential scan', async (_label, query, params) => {
      const { rows } = await sql.query(`EXPLAIN (FORMAT JSON) ${query}`, params);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).not.toContain('Seq Scan');
      expect(plan).toMatch(/Index|Bitmap/);
    });

    it('the seed is deterministic and realistic', async () => {
      const { rows } = await sql.query('SELECT count(*)::int AS n, count(DISTINCT city)::int AS cities, count(DISTINCT category)::int AS categories FROM businesses');
      expect(rows[0]).toEqual({ n: 100_000, cities: 24, categories: 20 });
    });
  });
});
