import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/app-process';

export const MONITORING_DIR = join(ROOT, 'monitoring');
/**
 * The rule files Prometheus loads, read from prometheus.yml's rule_files (paths relative to
 * monitoring/) rather than typed here: a file added there is checked by every spec that uses this.
 */
export const RULE_FILES: string[] = readYaml<{ rule_files?: string[] }>(join(MONITORING_DIR, 'prometheus.yml')).rule_files ?? [];
export const RUNBOOK_BASE = 'https://github.com/ecosyste/ecosyste/blob/main/docs/runbooks/';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; never throws on a non-zero exit, the test reads the code. */
export function run(cmd: string, args: string[], cwd = MONITORING_DIR): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: (AlertRule | { record: string; expr: string })[] }[];
}

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function alertRules(): AlertRule[] {
  return RULE_FILES.flatMap((f) =>
    readYaml<RuleFile>(join(MONITORING_DIR, f)).groups.flatMap((g) => g.rules.filter((r): r is AlertRule => 'alert' in r)),
  );
}

/**
 * Every duration of a rule file divided by `factor` (60: minutes become seconds), for the
 * end-to-end test: the same expressions and thresholds, on a clock that runs 60 times faster.
 * Ranges (`[5m]`, `[1h:1m]`) and `for:` are scaled; numbers in expressions are not durations and
 * stay as they are.
 */
export function scaleDurations(text: string, factor: number): string {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
  const scale = (n: string, u: string) => `${Math.max(1, Math.round((Number(n) * unit[u]) / factor))}s`;
  return text
    .replace(/\[(\d+)([smhdw])(:(\d+)([smhdw]))?\]/g, (_m, n, u, sub, sn, su) => `[${scale(n, u)}${sub ? `:${scale(sn, su)}` : ''}]`)
    .replace(/^(\s*for:\s*)(\d+)([smhdw])\s*$/gm, (_m, pre, n, u) => `${pre}${scale(n, u)}`);
}

export interface DashboardTarget {
  dashboard: string;
  panel: string;
  expr: string;
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  json: {
    uid: string;
    title: string;
    panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] }[];
    templating: { list: { name: string; current?: { value: string }; query?: { query: string } | string }[] };
  };
  targets: DashboardTarget[];
}

export const DASHBOARD_DIR = join(MONITORING_DIR, 'grafana', 'dashboards');

/** Every dashboard Grafana provisions: its file provider loads each JSON file of DASHBOARD_DIR. */
export function dashboards(): Dashboard[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard['json'];
      const targets = json.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: json.uid, panel: p.title, expr: t.expr })));
      return { file, uid: json.uid, title: json.title, json, targets };
    });
}

/**
 * What Grafana sends for a panel query: variables replaced by a value. `$instance` is a
 * multi-value "All" (regex `.*`), `$job` the dashboard's default, `$__rate_interval` a window.
 */
export function resolveVariables(expr: string, dashboard: Dashboard, rateInterval: string): string {
  const job = dashboard.json.templating.list.find((v) => v.name === 'job')?.current?.value ?? '';
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', rateInterval)
    .replaceAll('$instance', '.*')
    .replaceAll('$job', job);
}

/** Metric names with this prefix that the rule files or the dashboards read. */
export function metricsUsed(prefix: RegExp): string[] {
  const text = [
    ...RULE_FILES.map((f) => readFileSync(join(MONITORING_DIR, f), 'utf8')),
    ...dashboards().map((d) => readFileSync(join(DASHBOARD_DIR, d.file), 'utf8')),
  ].join('\n');
  return [...new Set([...text.matchAll(new RegExp(`\\b(${prefix.source}[a-z_]+)\\b`, 'g'))].map((m) => m[1]))].sort();
}

/** The metric names of a Prometheus text exposition (comments skipped, labels cut off). */
export function exposedMetricNames(exposition: string): Set<string> {
  return new Set(
    exposition
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]),
  );
}
