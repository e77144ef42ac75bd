import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { answers200, ReadyProcess, spawnReady } from '../helpers/ready-process';
import { ReplayedImage, replayDockerfile, scratchDir } from './support/image-replay';

const HTML = '/usr/share/nginx/html';
const SERVER_CONF = '/etc/nginx/conf.d/default.conf';

// The export is built inside the replay, then served by this machine's nginx with the image's
// server block, as nginx-unprivileged's main nginx.conf includes it.
describe('Dockerfile.frontend, replayed outside Docker', () => {
  let outDir: string;
  let image: ReplayedImage;
  let nginx: ReadyProcess | undefined;
  let base: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(scratchDir(), 'ecosyste-frontend-image-'));
    // nginx workers run unprivileged, as in the image: they must be able to read the tree.
    chmodSync(outDir, 0o755);
    image = replayDockerfile({
      context: ROOT,
      dockerfile: 'Dockerfile.frontend',
      outDir,
      // Offline: the replay must never reach the registry (npm's cache holds the lockfile's packages).
      runEnv: { npm_config_offline: 'true', npm_config_update_notifier: 'false', NEXT_TELEMETRY_DISABLED: '1' },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const run = join(outDir, 'nginx-run');
    mkdirSync(run);
    // Only the listen address and the document root move: the rest is the image's file verbatim.
    const server = readFileSync(join(image.root, SERVER_CONF), 'utf8')
      .replace(/listen\s+8080\s*;/, `listen 127.0.0.1:${port};`)
      .replaceAll(HTML, join(image.root, HTML));
    writeFileSync(join(run, 'server.conf'), server);
    writeFileSync(
      join(run, 'nginx.conf'),
      [
        `pid ${run}/nginx.pid;`,
        `error_log ${run}/error.log warn;`,
        'daemon off;',
        'worker_processes 1;',
        'events { worker_connections 64; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${run}/${t};`),
        `  include ${run}/server.conf;`,
        '}',
      ].join('\n'),
    );
    nginx = await spawnReady('nginx', ['-p', run, '-c', join(run, 'nginx.conf')], {
      ready: answers200(`${base}/healthz`),
      timeoutMs: 10_000,
      // SIGQUIT lets nginx finish its requests; SIGTERM would cut them.
      stopSignal: 'SIGQUIT',
    });
  }, 240_000);

  afterAll(async () => {
    await nginx?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('copies the static export, and nothing of the Node build, into the nginx image', () => {
    const html = join(image.root, HTML);
    expect(existsSync(join(html, 'index.html'))).toBe(true);
    expect(existsSync(join(html, '_next/static'))).toBe(true);
    expect(readdirSync(image.root).sort()).toEqual(['etc', 'usr']);
  });

  it("puts the same export in the edge target compose's nginx serves", () => {
    const edge = image.stageRoots.edge;
    expect(readdirSync(edge)).toEqual(['usr']);
    expect(readdirSync(join(edge, HTML)).sort()).toEqual(readdirSync(join(image.root, HTML)).sort());
  });

  it('runs as the unprivileged nginx user on 8080, with a health check', () => {
    expect(image.user).toBe('101');
    expect(image.expose).toEqual([8080]);
    expect(image.cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(image.healthcheck?.join(' ')).toContain('http://127.0.0.1:8080/healthz');
  });

  it('serves the home page, revalidated on every visit', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('lang="fr"');
  });

  it('caches hashed assets for a year', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const res = await fetch(base + asset!);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers an unknown page with the export 404 page and a 404 status', async () => {
    const res = await fetch(`${base}/no-such-page/`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toBe(readFileSync(join(image.root, HTML, '404.html'), 'utf8'));
  });

  it('redirects a directory without its slash relatively, never leaking the container port', async () => {
    const res = await fetch(`${base}/404`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/404/');
  });
});
