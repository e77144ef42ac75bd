import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { CSP_DIRECTIVES } from './content-security-policy';
import { staticSecurityHeaders } from './security-headers';

const TWO_YEARS_SECONDS = 63_072_000;

/**
 * Security headers and CORS on every response of the app, including errors and the web UI that
 * `npm start` serves. Behind nginx the edge sends the same headers and hides these copies.
 */
export async function applyHttpHardening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  if (config.env === 'production' && config.server.trustProxy === true) {
    // Every client could then choose its address through X-Forwarded-For and dodge the per-IP limit.
    new Logger('Security').warn('TRUST_PROXY=true trusts any peer: set it to the proxy addresses (docs/SECURITY.md)');
  }
  const securityHeaders = staticSecurityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
    },
    // Same value as the edge; browsers ignore it over plain HTTP, so it is harmless under npm start.
    strictTransportSecurity: { maxAge: TWO_YEARS_SECONDS, includeSubDomains: false },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // A cross-origin page may read the API only through the CORS allow-list below.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  // On every request (errors and 404s included), as helmet's own hook did; only the trace hook runs before it.
  app.getHttpAdapter().getInstance().addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  // Nothing foreign by default: an empty CORS_ORIGINS sends no Access-Control-Allow-Origin at all,
  // and answers a preflight as any unknown OPTIONS request. Then no CORS hook is installed either:
  // @fastify/cors would still copy its options and read the route's on every request to learn that.
  if (config.security.corsOrigins.length === 0) return;
  app.enableCors({
    origin: [...config.security.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    credentials: false,
    maxAge: 600,
  });
}
