// Monitoring overhead and the ceiling ratio in machine instructions per request, counted by
// valgrind (cachegrind), instead of in CPU time. Instruction counts don't move with whatever else
// the machine does, so a difference of a few per cent can be told from noise, which CPU time on
// a shared machine can't do; what they leave out is time in the kernel (socket writes above all)
// and the cost of cache misses, so they complement `npm run bench`, they don't replace it.
//
//   node bench/instructions.mjs [--requests 6000] [--rows 2000]
//
// Each configuration runs twice under cachegrind, serving a warm-up of 2000 cached-list requests
// and then `--requests` more in the second run only; the difference between the two totals,
// divided by the extra requests, is one request's cost with start-up and warm-up left out. It
// measures apps/backend/dist as it is (run `npm run build -w apps/backend` first) on the app's
// Node (BENCH_NODE), and takes several minutes: valgrind runs the app ~30 times slower.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NODE, APP_NODE_VERSION, freePort, MAIN, PRODUCTION_NODE_OPTIONS, startApp } from './lib/app.mjs';
import { recordResponse } from './lib/ceiling.mjs';
import { startOtlpSink } from './lib/otlp-sink.mjs';
import { createDatabase, dropRedisPrefix, REDIS_URL, redisPrefix, ROOT, seed } from './lib/services.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '6000' }, rows: { type: 'string', default: '2000' } },
});
const WARMUP = 2000;
const EXTRA = Number(args.requests);
const PATH = '/api/businesses?limit=20';
const log = (msg) => process.stdout.write(`[instructions ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('valgrind is not installed (Debian package valgrind)\n');
  process.exit(1);
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch((err) => log(`cleanup: ${err.message}`));
}
process.on('SIGINT', () => cleanup().finally(() => process.exit(130)));

/** Starts `argv` under cachegrind, waits for `readyPath`, sends `requests` cached-list requests, stops it: total instructions. */
async function countInstructions(argv, env, readyPath, requests, dir) {
  const port = await freePort();
  const out = join(dir, `cachegrind.${port}`);
  const child = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`, ...argv(port)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${argv(port).join(' ')} exited ${child.exitCode} under valgrind`);
    if (Date.now() > deadline) throw new Error(`${argv(port).join(' ')} not ready within 180 s under valgrind`);
    const ok = await fetch(url + readyPath, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const r = await autocannon({ url: url + PATH, connections: 10, amount: requests, timeout: 30 });
  const failed = r.errors + r.timeouts + r.non2xx;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  const summary = /^summary: (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!summary) throw new Error(`no cachegrind summary in ${out}`);
  return { instructions: Number(summary[1]), failed };
}

/** Instructions per request of one configuration: the two runs side by side, one per core. */
async function perRequest(name, argv, env, readyPath, dir) {
  log(`${name}: ${WARMUP} and ${WARMUP + EXTRA} requests under cachegrind…`);
  const [short, long] = await Promise.all([countInstructions(argv, env, readyPath, WARMUP, dir), countInstructions(argv, env, readyPath, WARMUP + EXTRA, dir)]);
  if (short.failed || long.failed) throw new Error(`${name}: ${short.failed + long.failed} requests failed`);
  const value = Math.round((long.instructions - short.instructions) / EXTRA);
  log(`${name}: ${value.toLocaleString('en')} instructions per request`);
  return value;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-instructions-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const db = await createDatabase('ecosyste_bench');
  cleanups.push(() => db.drop());
  const prefix = redisPrefix();
  cleanups.push(() => dropRedisPrefix(prefix));
  await seed(db.url, Number(args.rows));
  const sink = await startOtlpSink();
  cleanups.push(() => sink.stop());

  // As `npm run bench` runs the app: production, the image's NODE_OPTIONS, rate limiter on.
  const base = { NODE_ENV: 'production', HOST: '127.0.0.1', DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_MAX: '1000000', NODE_OPTIONS: PRODUCTION_NODE_OPTIONS };
  const configs = {
    off: { METRICS_ENABLED: 'false', LOG_LEVEL: 'silent' },
    on: { METRICS_ENABLED: 'true', LOG_LEVEL: 'info' },
    tracing: { METRICS_ENABLED: 'true', LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  };
  const appArgv = () => [APP_NODE, MAIN];
  const results = {};
  for (const [name, extra] of Object.entries(configs)) results[name] = await perRequest(name, appArgv, { ...base, ...extra }, '/health/ready', dir);

  // The ceiling replays the response of the app as production runs it (bench/lib/ceiling.mjs).
  const app = await startApp({ env: { ...base, ...configs.on } });
  const response = await recordResponse(app.url + PATH);
  await app.stop();
  writeFileSync(join(dir, 'body'), response.body);
  writeFileSync(join(dir, 'headers.json'), JSON.stringify(response.headers));
  const ceilingArgv = (port) => [APP_NODE, join(ROOT, 'bench', 'lib', 'ceiling-server.mjs'), String(port), join(dir, 'body'), join(dir, 'headers.json')];
  results.ceiling = await perRequest('ceiling', ceilingArgv, {}, '/', dir);

  const pct = (a, b) => +(((a - b) / b) * 100).toFixed(1);
  const record = {
    date: new Date().toISOString(),
    node: APP_NODE_VERSION,
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    requests: EXTRA,
    instructionsPerRequest: results,
    metricsLogsPct: pct(results.on, results.off),
    tracingPct: pct(results.tracing, results.on),
    ceilingRatio: +(results.ceiling / results.on).toFixed(3),
    otlpExports: sink.stats.requests,
  };
  process.stdout.write(
    `\ninstructions per cached-list request (Node ${record.node}, ${record.commit}):\n` +
      `  metrics + logs off  ${results.off.toLocaleString('en')}\n` +
      `  on (production)     ${results.on.toLocaleString('en')}   metrics + logs: +${record.metricsLogsPct} % (goal ≤ 5 %)\n` +
      `  tracing at 10 %     ${results.tracing.toLocaleString('en')}   tracing: +${record.tracingPct} % over on (goal ≤ 15 %; ${record.otlpExports} OTLP exports)\n` +
      `  ceiling             ${results.ceiling.toLocaleString('en')}   ceiling ÷ app: ${record.ceilingRatio} (goal ≥ 0.6)\n`,
  );
  const file = join(ROOT, 'bench', 'results', `instructions-${record.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  log(`written to ${file}`);
}

main()
  .catch((err) => {
    process.stderr.write(`failed: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(cleanup);
