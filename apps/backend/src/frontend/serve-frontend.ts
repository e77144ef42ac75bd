import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '../config/app-config';

/**
 * Serves the Next.js static export (`apps/frontend/out`) when SERVE_FRONTEND=true, as under
 * `npm start`. In production nginx serves it and this stays off.
 */
export async function serveFrontend(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const { dir } = config.frontend;
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('Frontend').warn(`SERVE_FRONTEND=true but ${dir}/index.html is missing: run npm run build`);
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    // The export has /status/index.html; /status gets a redirect to it, as nginx's try_files does.
    redirect: true,
    // Next's hashed assets never change under the same name; pages must be revalidated.
    setHeaders: (res, path) => {
      res.setHeader(
        'cache-control',
        path.includes(`${join('_next', 'static')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  servePageNotFound(app.getHttpAdapter().getInstance() as FastifyInstance, join(dir, '404.html'));
}

/**
 * A browser asking for a page that doesn't exist gets the export's 404 page (still a 404), not the
 * API's JSON error; /api/* keeps its JSON.
 */
function servePageNotFound(fastify: FastifyInstance, page: string): void {
  if (!existsSync(page)) return;
  const html = readFileSync(page);
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 404 || request.url.startsWith('/api/') || request.url === '/api') return payload;
    if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache');
    return html;
  });
}
