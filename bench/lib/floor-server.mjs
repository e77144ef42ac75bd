// Floors between the bare node:http ceiling and the app, to say what bounds the cached list:
//   fastify        — Fastify alone answering the same bytes (no Nest, no hooks);
//   fastify-redis  — the same plus what every cached read of the app does on Redis: the rate
//                    limit's EVALSHA and the cache GET (as a Buffer), over ioredis with auto-pipelining.
// Both send the ceiling's response: the app's headers and body (bench/lib/ceiling.mjs).
//   node bench/lib/floor-server.mjs <port> <body file> <headers file> <mode> [redis url]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Fastify = require('fastify');
const Redis = require('ioredis');

const [port, bodyFile, headersFile, mode, redisUrl] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = JSON.parse(readFileSync(headersFile, 'utf8'));
const app = Fastify();

if (mode === 'fastify-redis') {
  const prefix = `ecosyste-bench-floor-${process.pid}:`;
  const redis = new Redis(redisUrl, { keyPrefix: prefix, enableAutoPipelining: true });
  redis.defineCommand('floorCount', { numberOfKeys: 1, lua: "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n" });
  await redis.set('body', body, 'EX', 600);
  app.get('/api/businesses', async (request, reply) => {
    await redis.floorCount(`hits:${request.ip}`, 60_000);
    const bytes = await redis.getBuffer('body');
    return reply.headers(headers).send(bytes);
  });
  process.on('SIGTERM', async () => {
    await redis.del('body', `hits:127.0.0.1`);
    redis.disconnect();
    process.exit(0);
  });
} else {
  app.get('/api/businesses', (_request, reply) => reply.headers(headers).send(body));
}

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
