import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { answers200, ReadyProcess, spawnReady } from '../helpers/ready-process';
import { missing } from '../helpers/services';
import { TestDatabase, createTestDatabase, queryOnce } from '../helpers/test-database';
import { ReplayedImage, replayDockerfile, scratchDir } from './support/image-replay';

// The `node` user's uid in Node's images, and the pods' runAsUser. It needs no account here to run
// as it: it can read the replayed image's files (root's) but write none of them, as in the container.
const NODE_UID = 1000;
// The image's Node.js, fetched by .ci/run (the version of Dockerfile.backend's FROM): the replay
// builds and boots the app on it. Without it (a local run) this machine's Node stands in, and what
// needs the image's own version (its compile cache) is skipped; in CI it must be there.
const IMAGE_NODE = process.env.IMAGE_NODE;
const imageNode = IMAGE_NODE ?? process.execPath;
const METRICS_TOKEN = 'image-test-metrics-token-0123456789';

function productionConfigMap(): Record<string, string> {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s/overlays/production')], { encoding: 'utf8', timeout: 60_000 });
  const configMap = parseAllDocuments(out)
    .map((d) => d.toJS())
    .find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'ecosyste-config');
  return configMap.data;
}

describe.skipIf(await missing('postgres'))('Dockerfile.backend, replayed outside Docker, with the Kubernetes ConfigMap', () => {
  let outDir: string;
  let image: ReplayedImage;
  let db: TestDatabase;
  let app: ReadyProcess | undefined;
  let port: number;
  const appDir = () => join(image.root, image.workdir);
  const compileCacheDir = () => join(image.root, image.env.NODE_COMPILE_CACHE);
  let nodeUserCache: string | undefined;
  let cacheEntries = 0;

  beforeAll(async () => {
    outDir = mkdtempSync(join(scratchDir(), 'ecosyste-backend-image-'));
    chmodSync(outDir, 0o755);
    image = replayDockerfile({
      context: ROOT,
      dockerfile: 'Dockerfile.backend',
      outDir,
      buildArgs: { APP_VERSION: '9.9.9-test', GIT_COMMIT: 'abc1234' },
      // Offline: the replay must never reach the registry (npm's cache holds the lockfile's packages).
      runEnv: {
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        NEXT_TELEMETRY_DISABLED: '1',
        ...(IMAGE_NODE ? { PATH: `${dirname(IMAGE_NODE)}:${process.env.PATH ?? ''}` } : {}),
      },
    });
    db = await createTestDatabase('ecosyste_image');
    port = await freePort();
  }, 240_000);

  afterAll(async () => {
    await app?.stop(1000);
    await db?.drop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, the migrations and production dependencies only', () => {
    const backend = join(appDir(), 'apps/backend');
    expect(existsSync(join(backend, 'dist/main.js'))).toBe(true);
    expect(readdirSync(join(backend, 'drizzle')).some((f) => f.endsWith('.sql'))).toBe(true);
    expect(existsSync(join(backend, 'src'))).toBe(false);
    const modules = join(appDir(), 'node_modules');
    expect(existsSync(join(modules, '@nestjs/core'))).toBe(true);
    // Dev tools pruned away: neither the compiler nor the test runner is in the image.
    for (const dev of ['typescript', 'vitest', '@swc/core']) expect(existsSync(join(modules, dev)), dev).toBe(false);
  });

  it("is replayed on the image's Node.js in CI, which the image's user can run", () => {
    if (process.env.CI === 'true') expect(IMAGE_NODE, 'IMAGE_NODE (set by .ci/run)').toBeDefined();
    if (!IMAGE_NODE) return;
    const version = spawnSync(IMAGE_NODE, ['--version'], { uid: NODE_UID, gid: NODE_UID, encoding: 'utf8' });
    expect(version.error?.message, IMAGE_NODE).toBeUndefined();
    const from = /^FROM node:(\S+)-alpine AS runtime/m.exec(readFileSync(join(ROOT, 'Dockerfile.backend'), 'utf8'))?.[1];
    expect(version.stdout.trim()).toBe(`v${from}`);
  });

  it.skipIf(!IMAGE_NODE)('has the compile cache the build wrote as the node user, now read-only', () => {
    // Node keeps one directory per uid: the build wrote the node user's, then gave it to root.
    const dirs = readdirSync(compileCacheDir());
    const mine = dirs.find((d) => d.endsWith(`-${NODE_UID}`));
    expect(mine, dirs.join(', ')).toBeDefined();
    nodeUserCache = join(compileCacheDir(), mine!);
    expect(statSync(nodeUserCache).uid).toBe(0);
    cacheEntries = readdirSync(nodeUserCache).length;
    expect(cacheEntries).toBeGreaterThan(1400);
  });

  it('runs node itself as the command, as a non-root user, in production mode', () => {
    expect(image.cmd?.[0]).toBe('node');
    expect(image.entrypoint).toBeUndefined();
    expect(image.user).toBe('node');
    expect(image.env.NODE_ENV).toBe('production');
    expect(image.env.PORT).toBe('3001');
    expect(image.expose).toEqual([3001]);
    expect(image.env.APP_VERSION).toBe('9.9.9-test');
  });

  it('boots from the image layout, migrates the database and answers /health/live and /health/ready', async () => {
    const [command, ...args] = image.cmd!;
    expect(command).toBe('node');
    // The container's environment as Kubernetes builds it: the image's ENV, then the production
    // ConfigMap, then the Secret's values; only the listen address moves to loopback.
    const env = {
      ...image.env,
      ...productionConfigMap(),
      PATH: process.env.PATH ?? '',
      HOME: '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      // The image's path, inside the replayed tree.
      NODE_COMPILE_CACHE: compileCacheDir(),
      // Node's report of each module's lookup in that cache (a Node without one ignores it).
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      DATABASE_URL: db.url,
      METRICS_TOKEN,
      API_ADMIN_TOKEN: 'image-test-admin-token-0123456789',
      LOG_LEVEL: 'warn',
    };
    const live = `http://127.0.0.1:${port}/health/live`;
    const ready = `http://127.0.0.1:${port}/health/ready`;
    app = await spawnReady(imageNode, args, {
      name: 'the image',
      cwd: appDir(),
      env,
      uid: NODE_UID,
      gid: NODE_UID,
      ready: async () => (await answers200(live, 2000)()) && (await answers200(ready, 2000)()),
      timeoutMs: 45_000,
      intervalMs: 200,
    });
    expect((await fetch(live)).status).toBe(200);
    expect((await fetch(ready)).status).toBe(200);

    const rows = await queryOnce(db.url, `SELECT to_regclass('public.businesses') AS t`);
    expect(rows[0].t).toBe('businesses');
  });

  it.skipIf(!IMAGE_NODE)('loaded every module from the compile cache as it started and served', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/api/businesses`)).status).toBe(200);
    const lookups = app!.output().split('\n').filter((l) => l.startsWith('[compile cache] V8 code cache for CommonJS '));
    expect(lookups.filter((l) => l.includes(' was accepted')).length).toBeGreaterThan(1400);
    // Only the entry point is compiled anew: the build loads the app's modules without running it.
    // V8 also refuses code cached under other V8 flags, so this fails if the build's warm-up and
    // CMD disagree on them (--no-allocation-site-pretenuring).
    const compiled = lookups.filter((l) => !l.includes(' was accepted')).map((l) => l.replace(/^.* for CommonJS (\S+) .*$/, '$1'));
    expect(compiled).toEqual([join(appDir(), 'apps/backend/dist/main.js')]);
  });

  it('serves /metrics only with the bearer token the ServiceMonitor sends', async () => {
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_requests_total');
  });

  it("passes the image's own HEALTHCHECK command", () => {
    const [command, ...args] = image.healthcheck!;
    expect(command).toBe('node');
    const result = spawnSync(imageNode, args, { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, timeout: 10_000 });
    expect(result.status).toBe(0);
    // And it fails when nothing answers, so it can't pass by accident.
    const down = spawnSync(imageNode, args, { env: { PATH: process.env.PATH ?? '', PORT: '1' }, timeout: 10_000 });
    expect(down.status).toBe(1);
  });

  it('stops on SIGTERM as PID 1 would receive it', async () => {
    expect(app?.child.exitCode).toBeNull();
    // SIGKILL only after the pod's terminationGracePeriodSeconds, as the kubelet would.
    await app!.stop(30_000);
    // Exited by itself (a clean exit code or the re-raised SIGTERM), not killed.
    expect(app!.child.signalCode === 'SIGKILL').toBe(false);
  });

  it.skipIf(!IMAGE_NODE)('left the compile cache as the build wrote it', () => {
    // Node saves what it compiled at exit: the entry point's code could not be added to root's files.
    expect(readdirSync(nodeUserCache!).length).toBe(cacheEntries);
  });
});
