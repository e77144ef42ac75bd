import { z } from 'zod';

// Environment variables arrive as strings; these helpers turn them into typed values
// and give each failure a message that names the rule, not zod's internals.
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected an integer between ${min} and ${max}`).max(max, `expected an integer between ${min} and ${max}`));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL');

const redisUrl = z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL');

/** Every variable the app reads. Unknown variables are ignored; known ones are validated. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(1, 65535).default(3001),
  TRUST_PROXY: z.string().optional(),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(1024 * 1024),

  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
  DATA_DIR: z.string().min(1).default('./data'),
  MIGRATIONS_DIR: z.string().min(1).optional(),
  SEED_ON_EMPTY: int(0, 1_000_000).default(1000),

  REDIS_URL: redisUrl.optional(),
  REDIS_KEY_PREFIX: z.string().default('ecosyste:'),
  CACHE_TTL_SECONDS: int(1, 86_400).default(30),
  CACHE_MAX_ENTRIES: int(10, 1_000_000).default(5000),

  API_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CORS_ORIGINS: list.default([]),

  SERVE_FRONTEND: bool.default(false),
  FRONTEND_DIR: z.string().min(1).default('apps/frontend/out'),

  PROMETHEUS_URL: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').optional(),
  ALERT_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  APP_VERSION: z.string().optional(),
  GIT_COMMIT: z.string().default('unknown'),
});

export type Env = z.infer<typeof envSchema>;
