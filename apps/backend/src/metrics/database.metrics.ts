import { Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseClient } from '../database/database.client';

export const DB_QUERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The statement's first keyword: a handful of values, whatever the SQL. */
export function queryOperation(query: unknown): string {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return 'other';
  const keyword = /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase();
  switch (keyword) {
    case 'select':
    case 'insert':
    case 'update':
    case 'delete':
    case 'with':
      return keyword;
    case 'begin':
    case 'commit':
    case 'rollback':
      return 'transaction';
    default:
      return 'other';
  }
}

type QueryFn = (...args: unknown[]) => unknown;
interface PgPoolLike {
  on(event: 'acquire', listener: (client: { query: QueryFn }) => void): unknown;
}
const TIMED = Symbol('ecosyste.queryTimed');

/** Pool gauges read at scrape time, and the duration of every query sent through the pool. */
export class DatabaseMetrics {
  private readonly queryDuration: Histogram<'operation'>;

  constructor(registry: Registry, private readonly database: DatabaseClient) {
    new Gauge({
      name: 'active_connections',
      help: 'Database connections checked out of the pool (in use by a query or transaction).',
      registers: [registry],
      collect() {
        this.set(database.connectionsInUse());
      },
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state: total open, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const stats = database.poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    this.queryDuration = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Time from sending a query to the database to receiving its result, by statement kind.',
      labelNames: ['operation'],
      buckets: DB_QUERY_BUCKETS,
      registers: [registry],
    });
  }

  /**
   * Times queries at the pg client, under Drizzle, so every repository is covered without touching
   * it. Each pooled client is wrapped on its first checkout ('acquire' fires for every checkout,
   * including clients opened before this ran, such as the migration one).
   */
  instrumentPool(): void {
    const pool = (this.database.db as unknown as { $client?: unknown }).$client as PgPoolLike | undefined;
    if (this.database.kind !== 'postgres' || typeof pool?.on !== 'function') return;
    pool.on('acquire', (client) => this.wrap(client as { query: QueryFn; [TIMED]?: boolean }));
  }

  private wrap(client: { query: QueryFn; [TIMED]?: boolean }): void {
    if (client[TIMED]) return;
    client[TIMED] = true;
    const original = client.query;
    const histogram = this.queryDuration;
    client.query = function timedQuery(this: unknown, ...args: unknown[]): unknown {
      const end = histogram.startTimer({ operation: queryOperation(args[0]) });
      // pg's Pool calls client.query with a callback; Drizzle's transactions use the promise form.
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const callback = args[last] as (...results: unknown[]) => void;
        args[last] = (...results: unknown[]) => {
          end();
          callback(...results);
        };
        return original.apply(this, args);
      }
      const result = original.apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        // end() takes labels as its argument: never hand it the query result.
        const done = () => void end();
        (result as Promise<unknown>).then(done, done);
      } else {
        end();
      }
      return result;
    };
  }
}
