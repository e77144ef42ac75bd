import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, TestDatabase } from '../../../../tests/helpers/test-database';
import { REDIS_TEST_URL } from '../../../../tests/helpers/services';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  keyPrefix: string;
  close(): Promise<void>;
}

/**
 * The whole app in this process, on its own fresh PostgreSQL database (migrations applied by the
 * app's own start-up) and, with `redis: true`, on its own Redis key prefix. With `replicaOf`, a
 * second replica of that app instead: the same database and key prefix (closing it leaves them).
 */
export async function createTestApp(
  options: { redis?: boolean; env?: Record<string, string>; replicaOf?: TestApp } = {},
): Promise<TestApp> {
  const database = options.replicaOf?.database ?? (await createTestDatabase());
  const keyPrefix = options.replicaOf?.keyPrefix ?? `test:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    API_ADMIN_TOKEN: ADMIN_TOKEN,
    REDIS_URL: options.redis ? REDIS_TEST_URL : undefined,
    REDIS_KEY_PREFIX: keyPrefix,
    LOG_LEVEL: 'silent',
    METRICS_ENABLED: 'true',
    ...options.env,
  });
  const app = await createApp(config, { logger: false });
  return {
    app,
    config,
    database,
    keyPrefix,
    close: async () => {
      await app.close();
      if (!options.replicaOf) await database.drop();
    },
  };
}

/** POST /api/businesses as the admin, with these fields. */
export function createBusiness(t: TestApp, fields: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/api/businesses',
    headers: { 'content-type': 'application/json', ...AUTH },
    payload: JSON.stringify(fields),
  });
}
