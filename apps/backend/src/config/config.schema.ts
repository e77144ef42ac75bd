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

const otlpProtocol = z.enum(['http/protobuf', 'http/json'], { message: 'expected http/protobuf or http/json (for grpc, export through an OpenTelemetry Collector)' });

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
  // With Redis: how long a replica keeps a copy of a recent hit in its own memory (a hit then costs
  // no Redis round trip). Writes drop the copies on every replica over Redis pub/sub; 0 turns it off.
  CACHE_LOCAL_TTL_MS: int(0, 60_000).default(5000),

  API_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CORS_ORIGINS: list.pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected origins such as https://ecosyste.com (scheme and host, no path)'))).default([]),
  // Per client IP across every replica (Redis) when REDIS_URL is set; 0 turns it off. Unset, it is
  // 1000 per minute, except under NODE_ENV=test where load tests from one address would trip it.
  RATE_LIMIT_MAX: int(0, 1_000_000).optional(),
  RATE_LIMIT_TTL_SECONDS: int(1, 86_400).default(60),
  // With Redis, each replica counts locally and adds its hits to the shared count every this many
  // ms, so requests don't wait on Redis; a client can pass the limit by at most its rate × this
  // interval on each replica. 0: every request awaits Redis (exact).
  RATE_LIMIT_SYNC_MS: int(0, 10_000).default(100),

  SERVE_FRONTEND: bool.default(false),
  FRONTEND_DIR: z.string().min(1).default('apps/frontend/out'),

  PROMETHEUS_URL: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').optional(),
  ALERT_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  APP_VERSION: z.string().optional(),
  GIT_COMMIT: z.string().default('unknown'),

  // Observability: metrics, logs, health probes, tracing, shutdown (docs/OBSERVABILITY.md).
  METRICS_ENABLED: bool.default(true),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOG_DIR: z.string().min(1).optional(),
  LOG_FILE_MAX_SIZE: z.string().regex(/^\d+[kmg]$/, 'expected a size such as 10m or 500k').default('10m'),
  LOG_FILE_KEEP: int(1, 365).default(14),
  HEALTH_EXTERNAL_URLS: list.pipe(z.array(z.string().regex(/^https?:\/\//, 'expected http:// or https:// URLs'))).default([]),
  HEALTH_CHECK_TIMEOUT_MS: int(50, 10_000).default(500),
  HEALTH_HEAP_MAX_MB: int(16, 65_536).default(384),
  HEALTH_RSS_MAX_MB: int(16, 65_536).default(480),
  HEALTH_DISK_PATH: z.string().min(1).default('/'),
  HEALTH_DISK_MAX_PERCENT: int(1, 100).default(90),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(10_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL').optional(),
  // OTLP over HTTP, protobuf by default as the OpenTelemetry specification says (Elastic's APM
  // Server takes no other encoding on that port); gRPC is not bundled: send through a collector.
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SDK_DISABLED: bool.default(false),
  OTEL_SERVICE_NAME: z.string().min(1).default('ecosyste-backend'),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_traceidratio'),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a ratio between 0 and 1')
    .transform(Number)
    .default(0.1),
});

export type Env = z.infer<typeof envSchema>;

/** An empty value (`REDIS_URL=` in an env file) means unset, as it does for most twelve-factor apps. */
export function presentValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
