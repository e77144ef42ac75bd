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
  cache: { ttlSeconds: number; maxEntries: number };
  security: { adminToken?: string; corsOrigins: string[] };
  frontend: { serve: boolean; dir: string };
  /** The public status page: where its figures come from (unset: the app's own counters). */
  status: { prometheusUrl?: string };
  /** Alertmanager's webhook; without a token the webhook refuses every call. */
  alerts: { webhookToken?: string };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
