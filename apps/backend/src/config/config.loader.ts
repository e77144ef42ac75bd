import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from './app-config';
import { envSchema, presentValues } from './config.schema';
import { tracingEnabled } from '../tracing/tracing.options';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Package version: APP_VERSION wins (set by the image build), then the backend's package.json. */
function packageVersion(): string {
  const pkg = join(__dirname, '..', '..', 'package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function parseTrustProxy(value: string | undefined): AppConfig['server']['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function defaultMigrationsDir(): string {
  // dist/config -> ../../drizzle; src/config (tests) -> ../../drizzle as well.
  return resolve(__dirname, '..', '..', 'drizzle');
}

/**
 * Parses the environment once. A bad value throws a ConfigError whose message is one line naming
 * the variable, its value (never for secrets) and the rule, so a failed start is obvious in any log.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(presentValues(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const secret = /TOKEN|PASSWORD|SECRET|URL/.test(name);
    const raw = env[name];
    const shown = raw === undefined ? '(unset)' : secret ? '(hidden)' : JSON.stringify(raw);
    throw new ConfigError(`Invalid configuration: ${name}=${shown}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
    throw new ConfigError('Invalid configuration: DATABASE_URL=(unset): required when NODE_ENV=production');
  }
  const migrationsDir = resolve(e.MIGRATIONS_DIR ?? defaultMigrationsDir());
  if (!existsSync(migrationsDir)) {
    throw new ConfigError(`Invalid configuration: MIGRATIONS_DIR=${JSON.stringify(migrationsDir)}: directory not found`);
  }

  const config: AppConfig = {
    env: e.NODE_ENV,
    version: e.APP_VERSION ?? packageVersion(),
    commit: e.GIT_COMMIT,
    server: {
      host: e.HOST,
      port: e.PORT,
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      dataDir: resolve(e.DATA_DIR),
      migrationsDir,
      seedOnEmpty: e.SEED_ON_EMPTY,
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    cache: { ttlSeconds: e.CACHE_TTL_SECONDS, maxEntries: e.CACHE_MAX_ENTRIES, localTtlMs: e.CACHE_LOCAL_TTL_MS },
    security: {
      adminToken: e.API_ADMIN_TOKEN,
      corsOrigins: e.CORS_ORIGINS,
      rateLimit: {
        max: e.RATE_LIMIT_MAX ?? (e.NODE_ENV === 'test' ? 0 : 1000),
        ttlSeconds: e.RATE_LIMIT_TTL_SECONDS,
        syncMs: e.RATE_LIMIT_SYNC_MS,
      },
    },
    frontend: { serve: e.SERVE_FRONTEND, dir: resolve(e.FRONTEND_DIR) },
    status: { prometheusUrl: e.PROMETHEUS_URL?.replace(/\/+$/, '') },
    alerts: { webhookToken: e.ALERT_WEBHOOK_TOKEN },
    metrics: { enabled: e.METRICS_ENABLED, token: e.METRICS_TOKEN },
    logging: {
      level: e.LOG_LEVEL,
      pretty: (e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'pretty',
      dir: e.LOG_DIR ? resolve(e.LOG_DIR) : undefined,
      fileMaxSize: e.LOG_FILE_MAX_SIZE,
      fileKeep: e.LOG_FILE_KEEP,
    },
    health: {
      externalUrls: e.HEALTH_EXTERNAL_URLS,
      timeoutMs: e.HEALTH_CHECK_TIMEOUT_MS,
      heapMaxBytes: e.HEALTH_HEAP_MAX_MB * 1024 * 1024,
      rssMaxBytes: e.HEALTH_RSS_MAX_MB * 1024 * 1024,
      diskPath: e.HEALTH_DISK_PATH,
      diskMaxRatio: e.HEALTH_DISK_MAX_PERCENT / 100,
    },
    tracing: {
      // The rule instrument.ts applied before this config existed.
      enabled: tracingEnabled(e),
      serviceName: e.OTEL_SERVICE_NAME,
      sampler: e.OTEL_TRACES_SAMPLER,
      samplerRatio: e.OTEL_TRACES_SAMPLER_ARG,
    },
    shutdown: { timeoutMs: e.SHUTDOWN_TIMEOUT_MS },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
