import { Env } from './config.schema';

/** The validated configuration, grouped by concern. Built once at boot, frozen, then injected. */
export interface AppConfig {
  env: Env['NODE_ENV'];
  version: string;
  commit: string;
  server: {
    host: string;
    port: number;
    /** Fastify's trustProxy value: false, a hop count, or a list of addresses/CIDRs. */
    trustProxy: boolean | number | string[];
    bodyLimitBytes: number;
  };
  database: {
    /** Undefined means the embedded PGlite database under dataDir. */
    url?: string;
    poolMax: number;
    statementTimeoutMs: number;
    dataDir: string;
    migrationsDir: string;
    seedOnEmpty: number;
  };
  redis: { url?: string; keyPrefix: string };
  /** localTtlMs: the near cache in front of Redis (0: none). */
  cache: { ttlSeconds: number; maxEntries: number; localTtlMs: number };
  security: {
    adminToken?: string;
    corsOrigins: string[];
    /**
     * Requests per client IP per window; max 0 means no app-level limit. With Redis, replicas sync
     * their counts every syncMs (0: every request awaits Redis).
     */
    rateLimit: { max: number; ttlSeconds: number; syncMs: number };
  };
  frontend: { serve: boolean; dir: string };
  /** The public status page: where its figures come from (unset: the app's own counters). */
  status: { prometheusUrl?: string };
  /** Alertmanager's webhook; without a token the webhook refuses every call. */
  alerts: { webhookToken?: string };
  /** Prometheus /metrics; with a token, scrapes must send it as a bearer. */
  metrics: { enabled: boolean; token?: string };
  logging: {
    level: Env['LOG_LEVEL'];
    /** Human-readable console (development) instead of ECS JSON lines. */
    pretty: boolean;
    /** When set, also error.log and combined.log there, rotated by size and by day. */
    dir?: string;
    fileMaxSize: string;
    fileKeep: number;
  };
  health: {
    externalUrls: string[];
    /** Every check gives up after this long, so a hung dependency can't hang a probe. */
    timeoutMs: number;
    heapMaxBytes: number;
    rssMaxBytes: number;
    diskPath: string;
    /** Used share of the disk above which /health reports it down (0–1). */
    diskMaxRatio: number;
  };
  /** OpenTelemetry, read by instrument.ts before Nest starts; enabled when an endpoint is set. */
  tracing: {
    enabled: boolean;
    serviceName: string;
    sampler: Env['OTEL_TRACES_SAMPLER'];
    samplerRatio: number;
  };
  /** How long in-flight requests get after SIGTERM before their connections are cut. */
  shutdown: { timeoutMs: number };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
