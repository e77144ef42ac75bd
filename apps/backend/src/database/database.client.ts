import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
// Static imports, compiled to require(): an import() here loaded drizzle's ESM build beside the CJS
// one the repositories use, and Node 24's ESM resolver re-read drizzle's 179 KB package.json for
// each of its files — 0.85 s of a 2.1 s cold start on the bench's host, against 40 ms required.
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { schema } from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Any number; it only has to be the same for every replica running migrations. */
const MIGRATION_LOCK_KEY = 4_201_010;

/**
 * Owns the connection (a pg Pool, or the embedded PGlite) and the Drizzle instance over it.
 * Repositories get `db`; health and metrics get `ping()` and `connectionsInUse()`.
 */
export class DatabaseClient {
  private constructor(
    readonly db: Database,
    readonly kind: 'postgres' | 'pglite',
    private readonly pool?: Pool,
    private readonly pglite?: { close(): Promise<void> },
  ) {}

  static async connect(config: AppConfig['database']): Promise<DatabaseClient> {
    return config.url ? DatabaseClient.connectPostgres(config) : DatabaseClient.connectEmbedded(config);
  }

  private static async connectPostgres(config: AppConfig['database']): Promise<DatabaseClient> {
    const pool = new Pool({
      connectionString: config.url,
      max: config.poolMax,
      // A dead database must turn into a fast error, not a request waiting forever for a socket.
      connectionTimeoutMillis: 2000,
      statement_timeout: config.statementTimeoutMs,
      // statement_timeout is enforced by the server: a hung server (frozen, partitioned) never
      // sends it, and a query on an open socket would wait forever. The client gives up a second later.
      query_timeout: config.statementTimeoutMs + 1000,
      idleTimeoutMillis: 30_000,
      application_name: 'ecosyste-backend',
    });
    // Without a listener an idle client's error (database restarted) would crash the process.
    pool.on('error', () => undefined);

    const client = await pool.connect();
    try {
      // Several replicas may start together: the lock makes them apply migrations one at a time,
      // and the later ones find nothing left to do.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await migrate(drizzle(client, { schema }), { migrationsFolder: config.migrationsDir });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
    return new DatabaseClient(drizzle(pool, { schema }) as unknown as Database, 'postgres', pool);
  }

  private static async connectEmbedded(config: AppConfig['database']): Promise<DatabaseClient> {
    // Required here rather than imported at the top, so production (DATABASE_URL) never loads
    // PGlite; required rather than import()ed, for the reason given at the imports.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
    const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as typeof import('@electric-sql/pglite/contrib/pg_trgm', { with: { 'resolution-mode': 'import' } });
    const { drizzle } = require('drizzle-orm/pglite') as typeof import('drizzle-orm/pglite');
    const { migrate } = require('drizzle-orm/pglite/migrator') as typeof import('drizzle-orm/pglite/migrator');
    /* eslint-enable @typescript-eslint/no-require-imports */
    mkdirSync(config.dataDir, { recursive: true });
    const pglite = new PGlite(join(config.dataDir, 'pglite'), { extensions: { pg_trgm } });
    // PGlite's ESM and CJS builds declare distinct (identical) classes; drizzle's types name the other one.
    const db = drizzle({ client: pglite as never, schema });
    await migrate(db, { migrationsFolder: config.migrationsDir });
    return new DatabaseClient(db as unknown as Database, 'pglite', undefined, pglite);
  }

  async ping(): Promise<void> {
    await this.db.execute(sql`SELECT 1`);
  }

  /** Connections checked out of the pool right now (the seed's `active_connections`). */
  connectionsInUse(): number {
    if (!this.pool) return 0;
    return this.pool.totalCount - this.pool.idleCount;
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    if (!this.pool) return { total: 1, idle: 1, waiting: 0 };
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool?.end();
    await this.pglite?.close();
  }
}
