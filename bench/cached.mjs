// A focused, quicker loop than `npm run bench` for work on the hot path: the cached list against
// the ceiling (same bytes), CPU per request for each, and RSS under 1000 connections.
//
//   node bench/cached.mjs [--duration 5] [--rounds 2] [--rows 2000] [--profile] [--node-arg=--flag] [--env KEY=VALUE]…
//                         [--compare <dir with another build's main.js>] [--compare-env KEY=VALUE]… [--compare-node-arg=--flag]…
//                         [--floors] [--paired [--fresh [--warmup 8]] [--connections 50] [--rate <req/s per server>] [--pinned]]
//
// It measures apps/backend/dist as it is (run `npm run build -w apps/backend` first). With
// --compare (or only --compare-env / --compare-node-arg), a second app B runs beside it and the
// rounds alternate A, B, ceiling, so that drift on a shared machine hits both alike. --floors adds
// bare Fastify, and bare Fastify doing the app's two Redis commands (bench/lib/floor-server.mjs).
// --paired loads every server at once instead of one after the other, --rounds times, and reports
// medians of each round's CPU per request and of its ratio to the app (bench/lib/load.mjs paired):
// the steadiest figures a shared machine gives. With --fresh, the app (and B) are new processes in
// every round, warmed up for --warmup seconds first: each round is then an independent draw of the
// state a process settles into (bench/lib/load.mjs paired).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NODE_VERSION, PRODUCTION_NODE_ARGS, PRODUCTION_NODE_OPTIONS, rssBytes, scrape, settle, startApp } from './lib/app.mjs';
import { recordResponse, startCeiling } from './lib/ceiling.mjs';
import { cannon, paired } from './lib/load.mjs';
import { summarizeProfile } from './lib/profile-summary.mjs';
import { createDatabase, dropRedisPrefix, REDIS_URL, redisPrefix, seed } from './lib/services.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    rows: { type: 'string', default: '2000' },
    profile: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    compare: { type: 'string' },
    'compare-env': { type: 'string', multiple: true, default: [] },
    'compare-node-arg': { type: 'string', multiple: true, default: [] },
    floors: { type: 'boolean', default: false },
    paired: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string' },
    pinned: { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const PATH = '/api/businesses?limit=20';
const log = (msg) => process.stdout.write(`[cached ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const envOf = (list) => Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const extraEnv = envOf(args.env);
const withB = args.compare !== undefined || args['compare-env'].length > 0 || args['compare-node-arg'].length > 0;

const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch((err) => log(`cleanup: ${err.message}`));
}
process.on('SIGINT', () => cleanup().finally(() => process.exit(130)));

const usPerRequest = (runs) => (runs.reduce((a, r) => a + r.cpuMs, 0) * 1000) / runs.reduce((a, r) => a + r.requests, 0);

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-cached-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const db = await createDatabase('ecosyste_bench');
  cleanups.push(() => db.drop());
  const prefix = redisPrefix();
  cleanups.push(() => dropRedisPrefix(prefix));
  await seed(db.url, Number(args.rows));
  // As `npm run bench` runs it: production, metrics on, logs at info to a file, rate limiter on.
  const env = { DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_MAX: '1000000', RATE_LIMIT_TTL_SECONDS: '1', NODE_OPTIONS: PRODUCTION_NODE_OPTIONS, ...extraEnv };
  const profileDir = join(tmpdir(), 'ecosyste-bench-profiles');
  const nodeArgs = [...args['node-arg'], ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const startA = () => startApp({ env, logFile: join(tmp, 'app.log'), nodeArgs });
  const startB = () =>
    startApp({
      env: { ...env, ...envOf(args['compare-env']) },
      logFile: join(tmp, 'app-b.log'),
      nodeArgs: [...args['node-arg'], ...args['compare-node-arg']],
      main: args.compare ? join(args.compare, 'main.js') : undefined,
    });
  const app = await startA();
  cleanups.push(() => app.stop());
  const appB = withB ? await startB() : undefined;
  if (appB) cleanups.push(() => appB.stop());
  await settle(app.url);
  const idleRssMiB = +(rssBytes(app.pid) / 2 ** 20).toFixed(1);
  const response = await recordResponse(app.url + PATH);
  const ceiling = await startCeiling(response, tmp);
  cleanups.push(() => ceiling.stop());
  log(`body ${response.body.length} bytes, ${Object.keys(response.headers).length} headers; app on Node ${APP_NODE_VERSION} ${[...PRODUCTION_NODE_ARGS, ...args['node-arg']].join(' ')}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const floors = {};
  if (args.floors) {
    for (const mode of ['fastify', 'fastify-redis']) {
      floors[mode] = await startCeiling(response, tmp, { server: 'floor-server.mjs', extraArgs: [mode, REDIS_URL] });
      cleanups.push(() => floors[mode].stop());
    }
  }
  if (args.paired) {
    const running = ({ url, pid }) => ({ url, pid });
    const freshApp = (start) => ({ start: () => start().then((a) => (cleanups.push(() => a.stop()), a)) });
    if (args.fresh) {
      await app.stop();
      await appB?.stop();
    }
    const targets = [
      { name: 'app', ...(args.fresh ? freshApp(startA) : running(app)) },
      ...(appB ? [{ name: 'b', ...(args.fresh ? freshApp(startB) : running(appB)) }] : []),
      { name: 'ceiling', ...running(ceiling) },
      ...Object.entries(floors).map(([name, f]) => ({ name, ...running(f) })),
    ];
    const warmup = args.warmup ? Number(args.warmup) : args.fresh ? 8 : 2;
    const r = await paired({ targets, path: PATH, connections: Number(args.connections), rate: args.rate ? Number(args.rate) : undefined, duration: DURATION, rounds: Number(args.rounds), warmup, pinned: args.pinned ? {} : undefined });
    for (const [name, t] of Object.entries(r)) {
      log(`${name.padEnd(13)} ${String(t.usPerRequest).padStart(6)} µs CPU/req (median), ×${t.ratioToFirst} of app's; rounds ${t.rounds.map((x) => `${x.usPerRequest}µs@${x.rps}/s`).join(' ')}; failed ${t.failed}`);
      const p = t.pinned;
      if (p) log(`${''.padEnd(13)} on a core of its own: ${String(p.usPerRequest).padStart(6)} µs CPU/req, ×${p.ratioToFirst} of app's; rounds ${p.rounds.map((x) => `${x.usPerRequest}µs@${x.rps}/s (core ${x.coreBusy})`).join(' ')}; failed ${p.failed}`);
    }
    log(`app ÷ ceiling (per CPU-second): ${r.ceiling.ratioToFirst}${appB ? `; B ÷ ceiling: ${+(r.ceiling.ratioToFirst / r.b.ratioToFirst).toFixed(3)}; B vs app: ${((r.b.ratioToFirst - 1) * 100).toFixed(1)} % CPU/req` : ''}`);
    process.stdout.write(`${JSON.stringify({ paired: r, loadAvg: loadavg() }, null, 1)}\n`);
    return;
  }
  const runs = { app: [], b: [], ceiling: [], ...Object.fromEntries(Object.keys(floors).map((m) => [m, []])) };
  for (let round = 0; round < Number(args.rounds); round++) {
    const warmup = round === 0 ? 1 : 0;
    runs.app.push(await cannon({ url: app.url, path: PATH, connections: 100, duration: DURATION, warmup, pid: app.pid }));
    if (appB) runs.b.push(await cannon({ url: appB.url, path: PATH, connections: 100, duration: DURATION, warmup, pid: appB.pid }));
    runs.ceiling.push(await cannon({ url: ceiling.url, path: PATH, connections: 100, duration: DURATION, warmup, pid: ceiling.pid }));
    for (const [mode, f] of Object.entries(floors)) runs[mode].push(await cannon({ url: f.url, path: PATH, connections: 100, duration: DURATION, warmup, pid: f.pid }));
    const line = (name, r) => `${name} ${r.rps} req/s (${((r.cpuMs * 1000) / r.requests).toFixed(0)} µs CPU/req, non2xx ${r.non2xx})`;
    log(`round ${round + 1}: ${line('app', runs.app.at(-1))}${appB ? `, ${line('B', runs.b.at(-1))}` : ''}, ${line('ceiling', runs.ceiling.at(-1))}${Object.keys(floors).map((m) => `, ${line(m, runs[m].at(-1))}`).join('')}`);
  }
  const appUs = usPerRequest(runs.app);
  const ceilingUs = usPerRequest(runs.ceiling);

  const at1000 = async (a) => {
    const rss = [];
    const sampler = setInterval(() => rss.push(rssBytes(a.pid)), 250);
    const r = await cannon({ url: a.url, path: PATH, connections: 1000, duration: DURATION, pid: a.pid });
    clearInterval(sampler);
    // Where the memory is, right after the load (V8's heap does not shrink at once).
    const m = (await scrape(a.url, ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'])) ?? {};
    const mib = (v) => (v === undefined ? null : +(v / 2 ** 20).toFixed(1));
    const heap = { totalMiB: mib(m.nodejs_heap_size_total_bytes), usedMiB: mib(m.nodejs_heap_size_used_bytes), externalMiB: mib(m.nodejs_external_memory_bytes) };
    return { heap, rps: r.rps, p99: r.p99, non2xx: r.non2xx, errors: r.errors, usPerRequest: +((r.cpuMs * 1000) / r.requests).toFixed(1), rssMaxMiB: +(Math.max(...rss.filter(Number.isFinite)) / 2 ** 20).toFixed(1) };
  };
  const big = await at1000(app);
  const bigB = appB ? await at1000(appB) : undefined;
  await app.stop();
  await appB?.stop();
  const result = {
    appUsPerRequest: +appUs.toFixed(1),
    ceilingUsPerRequest: +ceilingUs.toFixed(1),
    ratioPerCpuSecond: +(ceilingUs / appUs).toFixed(3),
    idleRssMiB,
    floorsUsPerRequest: Object.fromEntries(Object.keys(floors).map((m) => [m, +usPerRequest(runs[m]).toFixed(1)])),
    at1000: big,
    ...(appB ? { b: { appUsPerRequest: +usPerRequest(runs.b).toFixed(1), ratioPerCpuSecond: +(ceilingUs / usPerRequest(runs.b)).toFixed(3), at1000: bigB } } : {}),
    loadAvg: loadavg(),
  };
  if (args.profile) result.profile = summarizeProfile(profileDir, app.readyMs + 1500);
  process.stdout.write(`${JSON.stringify({ ...result, profile: undefined }, null, 1)}\n`);
  if (result.profile) {
    for (const p of result.profile.byPackage.slice(0, 14)) process.stdout.write(`  ${p.share.toFixed(1).padStart(5)} %  ${p.name}\n`);
    for (const f of result.profile.byFunction.slice(0, 30)) process.stdout.write(`  ${f.share.toFixed(1).padStart(5)} %  ${f.name}\n`);
  }
}

main()
  .catch((err) => {
    process.stderr.write(`failed: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(cleanup);
