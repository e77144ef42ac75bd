// Reads the newest .cpuprofile written by `node --cpu-prof` and says where the time went:
// self time by package (node_modules/<pkg>, node: internals, the app's own dist/) and by function.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/apps/backend/dist/')) return `app: ${url.split('/apps/backend/dist/')[1].split('/')[0]}`;
  return url;
}

/** `skipMs`: leave out the first samples (start-up and warm-up), to see the steady hot path only. */
export function summarizeProfile(dir, skipMs = 0) {
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const prof = JSON.parse(readFileSync(newest, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let clock = 0;
  prof.samples.forEach((id, i) => {
    clock += prof.timeDeltas[i] ?? 0;
    if (clock >= skipMs * 1000) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  let total = 0;
  let idle = 0;
  const pkgs = new Map();
  const fns = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(callFrame.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
    const fn = `${callFrame.functionName || '(anonymous)'} ${callFrame.url ? `${packageOf(callFrame.url)}:${callFrame.lineNumber + 1}` : ''}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const rank = (m) => [...m.entries()].map(([name, us]) => ({ name, share: (us / total) * 100 })).sort((a, b) => b.share - a.share);
  return { file: newest, busyMs: total / 1000, idleMs: idle / 1000, byPackage: rank(pkgs), byFunction: rank(fns) };
}
