import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
    // Next's hashed assets never change under the same name; pages must be revalidated.
    setHeaders: (res, path) => {
      res.setHeader(
        'cache-control',
        path.includes(`${join('_next', 'static')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
