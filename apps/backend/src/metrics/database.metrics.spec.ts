import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { DatabaseClient } from '../database/database.client';
import { DatabaseMetrics, queryOperation } from './database.metrics';

describe('queryOperation', () => {
  it.each([
    ['select * from businesses', 'select'],
    ['  INSERT INTO x VALUES (1)', 'insert'],
    [{ text: 'update x set a = 1' }, 'update'],
    ['delete from x', 'delete'],
    ['with t as (select 1) select * from t', 'with'],
    ['BEGIN', 'transaction'],
    ['SELECT pg_advisory_lock($1)', 'select'],
    ['vacuum', 'other'],
    [42, 'other'],
  ])('%j -> %s', (query, expected) => {
    expect(queryOperation(query)).toBe(expected);
  });
});

describe('DatabaseMetrics', () => {
  function setup() {
    const pool = new EventEmitter();
    const database = {
      kind: 'postgres',
      db: { $client: pool },
      connectionsInUse: () => 3,
      poolStats: () => ({ total: 5, idle: 2, waiting: 1 }),
    } as unknown as DatabaseClient;
    const registry = new Registry();
    new DatabaseMetrics(registry, database).instrumentPool();
    return { pool, registry };
  }

  it('reports pool gauges at scrape time', async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(text).toContain('active_connections 3');
    expect(text).toContain('db_pool_connections{state="total"} 5');
    expect(text).toContain('db_pool_connections{state="idle"} 2');
    expect(text).toContain('db_pool_connections{state="waiting"} 1');
  });

  it('times callback and promise queries once per call, whatever the client returns', async () => {
    const { pool, registry } = setup();
    const client = {
      query(text: string, ...rest: unknown[]): unknown {
        const callback = rest.find((a) => typeof a === 'function') as ((e: unknown, r: unknown) => void) | undefined;
        const result = { rows: [], rowCount: 0, command: text.split(' ')[0] };
        if (callback) return setImmediate(() => callback(null, result));
        return text.startsWith('bad') ? Promise.reject(new Error('syntax')) : Promise.resolve(result);
      },
    };
    pool.emit('acquire', client);
    pool.emit('acquire', client); // a second checkout must not wrap twice

    await new Promise<void>((resolve) => client.query('SELECT 1', [], () => resolve()));
    await client.query('INSERT INTO x');
    await expect(client.query('bad sql')).rejects.toThrow('syntax');

    const text = await registry.metrics();
    expect(text).toContain('db_query_duration_seconds_count{operation="select"} 1');
    expect(text).toContain('db_query_duration_seconds_count{operation="insert"} 1');
    expect(text).toContain('db_query_duration_seconds_count{operation="other"} 1');
  });
});
