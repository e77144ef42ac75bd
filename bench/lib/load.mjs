// Load generation: autocannon for throughput and latency, and plain node:http for the seed's two
// scenarios as its supertest calls ran them (one connection per concurrent request; one at a time).
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
 */
export async function paired({ targets, path, connections = 50, rate, duration = 5, rounds = 5, warmup = 2 }) {
  const load = (t, seconds) =>
    autocannon({ url: t.url + path, connections, duration: seconds, timeout: 10, ...(rate ? { overallRate: rate } : {}) });
  const fresh = targets.some((t) => t.start);
  const perRound = [];
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
          failed: results[i].errors + results[i].timeouts + results[i].non2xx,
        })),
      );
    } finally {
      if (fresh) await Promise.all(running.filter((t) => t.start).map((t) => t.stop()));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return Object.fromEntries(
    targets.map((t, i) => [
      t.name,
      {
        usPerRequest: +median(perRound.map((r) => r[i].usPerRequest)).toFixed(1),
        ratioToFirst: +median(perRound.map((r) => r[i].usPerRequest / r[0].usPerRequest)).toFixed(3),
        rounds: perRound.map((r) => ({ usPerRequest: +r[i].usPerRequest.toFixed(1), rps: r[i].rps })),
        failed: perRound.reduce((a, r) => a + r[i].failed, 0),
      },
    ]),
  );
}
