import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
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
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
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
    const { PGlite } = await import('@electric-sql/pglite');
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
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
