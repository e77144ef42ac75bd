// Load generation: autocannon for throughput and latency, and plain node:http for the seed's two
// scenarios as its supertest calls ran them (one connection per concurrent request; one at a time).
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { cpuTimeMs } from './app.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/**
 * `path` is a string, or a function of the request number for paths that must differ (cache
 * misses). Returns req/s and latency percentiles in ms, plus every kind of failure.
 */
export async function cannon({ url, path, connections, duration, warmup = 0, pid }) {
  let counter = 0;
  const requests = typeof path === 'function' ? [{ setupRequest: (req) => ({ ...req, path: path(counter++) }) }] : undefined;
  if (warmup > 0) await autocannon({ url: url + (typeof path === 'string' ? path : ''), connections, duration: warmup, requests });
  const cpuBefore = pid ? cpuTimeMs(pid) : NaN;
  const r = await autocannon({ url: url + (typeof path === 'string' ? path : ''), connections, duration, requests, timeout: 10 });
  const cpuMs = pid ? cpuTimeMs(pid) - cpuBefore : NaN;
  return {
    cpuMs,
    // What one dedicated core would serve if the server were the only thing running.
    perCpuSecond: Number.isFinite(cpuMs) && cpuMs > 0 ? Math.round((r.requests.total / cpuMs) * 1000) : null,
    connections,
    duration,
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    bytesPerSec: Math.round(r.throughput.average),
  };
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The seed's first test: N requests started at once, each on its own connection; wall time. */
export async function concurrentBurst(url, n) {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: n }, () => get(url, agent).catch(() => 0)));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { requests: n, wallMs, failed: statuses.filter((s) => s !== 200).length };
}

/** The seed's second test: N requests one after the other (on one kept-alive connection). */
export async function sequential(url, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const s = await get(url, agent).catch(() => 0);
    times.push(performance.now() - t);
    if (s !== 200) failed++;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { requests: n, meanMs: times.reduce((a, b) => a + b, 0) / n, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: times[n - 1], failed };
}

/**
 * Paired measurement: every target is loaded at the same time, by the same number of connections
 * (and at the same fixed rate when `rate` is given), for `rounds` rounds; each round gives each
 * target's CPU time per request. On a shared machine, whatever else runs slows all targets alike
 * within a round, so the per-round ratios to the first target move far less than the figures of
 * runs taken one after the other. Returns each target's median µs per request and its median
 * ratio to the first target.
 *
 * A target is a running server ({ name, url, pid }) or a way to start one ({ name, start }, where
 * `start()` resolves to { url, pid, stop }): those are started afresh for every round, warmed up,
 * measured and stopped. Two processes of the same build can settle into different states for
 * their whole life — V8 sizes its young generation and its promotion from what it has seen, and
 * one app of three identical ones sometimes spent 25–30 % more CPU per request, every round (see
 * docs/PERFORMANCE.md) — so a figure from one process per target is a draw of those states; a new
 * process per round makes each round an independent draw and the median ignores the odd one.
 *
 * With `pinned` ({ connections, duration, runs }), each round goes on with the same processes
 * measured one at a time on a core of their own (alternateOnOneCore), reported under `.pinned`
 * (absent on a machine with one CPU, or without taskset).
 */
export async function paired({ targets, path, connections = 50, rate, duration = 5, rounds = 5, warmup = 2, pinned }) {
  const load = (t, seconds) =>
    autocannon({ url: t.url + path, connections, duration: seconds, timeout: 10, ...(rate ? { overallRate: rate } : {}) });
  const fresh = targets.some((t) => t.start);
  // A core for the load generator and one for the targets, or no such measurement.
  if (pinned && cpusOf(process.pid).length < 2) pinned = undefined;
  const perRound = [];
  const pinnedPerRound = [];
  let running = targets;
  if (!fresh) await Promise.all(running.map((t) => load(t, warmup)));
  for (let round = 0; round < rounds; round++) {
    if (fresh) {
      running = [];
      for (const t of targets) running.push(t.start ? { ...t, ...(await t.start()) } : t);
      await Promise.all(running.map((t) => load(t, warmup)));
    }
    try {
      const before = running.map((t) => cpuTimeMs(t.pid));
      const results = await Promise.all(running.map((t) => load(t, duration)));
      perRound.push(
        running.map((t, i) => ({
          usPerRequest: ((cpuTimeMs(t.pid) - before[i]) * 1000) / results[i].requests.total,
          rps: Math.round(results[i].requests.average),
          failed: failedOf(results[i]),
          // What failed, so that a run marked "not comparable" can be explained afterwards.
          failures: failureKinds(results[i]),
        })),
      );
      if (pinned) pinnedPerRound.push(await alternateOnOneCore(running, { path, ...pinned }));
    } finally {
      if (fresh) await Promise.all(running.filter((t) => t.start).map((t) => t.stop()));
    }
  }
  const summary = summarize(targets, perRound);
  if (pinned) {
    const onOneCore = summarize(targets, pinnedPerRound);
    for (const t of targets) summary[t.name].pinned = onOneCore[t.name];
  }
  return summary;
}

/** Requests of one autocannon run (or a cannon() record) that did not get a 2xx. */
export function failedOf(result) {
  return result.errors + result.timeouts + result.non2xx;
}

/** autocannon's failures of one run by kind and non-2xx status, or undefined when there were none. */
function failureKinds(result) {
  if (failedOf(result) === 0) return undefined;
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2')).map(([code, s]) => [code, s.count]));
  return { errors: result.errors, timeouts: result.timeouts, statuses };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Each target's median µs per request and median ratio to the first target, over the rounds. */
function summarize(targets, perRound) {
  return Object.fromEntries(
    targets.map((t, i) => [
      t.name,
      {
        usPerRequest: +median(perRound.map((r) => r[i].usPerRequest)).toFixed(1),
        ratioToFirst: +median(perRound.map((r) => r[i].usPerRequest / r[0].usPerRequest)).toFixed(3),
        rounds: perRound.map((r) => ({
          usPerRequest: +r[i].usPerRequest.toFixed(1),
          rps: r[i].rps,
          ...(r[i].coreBusy === undefined ? {} : { coreBusy: +r[i].coreBusy.toFixed(2) }),
          ...(r[i].failures ? { failures: r[i].failures } : {}),
        })),
        failed: perRound.reduce((a, r) => a + r[i].failed, 0),
      },
    ]),
  );
}

/** CPUs this process may run on, by number; none when taskset (util-linux) is missing. */
function cpusOf(pid) {
  let list;
  try {
    list = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':').pop().trim();
  } catch {
    return [];
  }
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}

/** Binds every thread of a process (and the threads it starts later) to the given CPUs. */
function pin(pid, cpus) {
  execFileSync('taskset', ['-a', '-c', '-p', cpus.join(','), String(pid)], { stdio: 'ignore' });
}

/**
 * The targets measured one at a time on a core of their own: every thread of each target is bound
 * to one CPU, this process (the load generator) to another, and the targets take turns, `runs`
 * times each, `duration` seconds a turn, by `connections` connections. Nothing else of the bench
 * shares their core, as a replica has its CPU to itself in production; side by side, three apps
 * and the generator time-share two cores, and each app's CPU per request then counts the caches
 * and wake-ups it loses to the others. Turns of a few seconds, in palindromic order, keep the machine's drift
 * out of the ratios. `coreBusy` is the share of the core a target used: near 1, the app was the
 * bottleneck; lower, the generator was, and CPU per request is then measured below saturation.
 */
async function alternateOnOneCore(running, { path, connections = 100, duration = 2, runs = 4 }) {
  const own = cpusOf(process.pid);
  const [generatorCpu, appCpu] = own;
  pin(process.pid, [generatorCpu]);
  try {
    for (const t of running) pin(t.pid, [appCpu]);
    const totals = running.map(() => ({ cpuMs: 0, requests: 0, wallMs: 0, failed: 0 }));
    for (let run = 0; run < runs; run++) {
      // A, B, C then C, B, A: the machine's drift during a round weighs on every target alike, not
      // most on the last one (the host's speed moved by up to a third within a round).
      const order = [...running.entries()];
      if (run % 2) order.reverse();
      for (const [i, t] of order) {
        const cpuBefore = cpuTimeMs(t.pid);
        const started = performance.now();
        const r = await autocannon({ url: t.url + path, connections, duration, timeout: 10 });
        totals[i].wallMs += performance.now() - started;
        totals[i].cpuMs += cpuTimeMs(t.pid) - cpuBefore;
        totals[i].requests += r.requests.total;
        totals[i].failed += failedOf(r);
      }
    }
    return totals.map((x) => ({
      usPerRequest: (x.cpuMs * 1000) / x.requests,
      rps: Math.round((x.requests * 1000) / x.wallMs),
      coreBusy: x.cpuMs / x.wallMs,
      failed: x.failed,
    }));
  } finally {
    pin(process.pid, own);
    // Servers that outlive the round (not started by `paired`) get all CPUs back.
    for (const t of running.filter((t) => !t.start)) pin(t.pid, own);
  }
}
