import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ROOT } from '../helpers/app-process';

// The blue-green AnalysisTemplate's Prometheus queries, run by promtool on synthetic series:
// green (the release under analysis) and blue (the running version) with their own error rates, so
// the test shows each query measures the green pods alone and each threshold decides as intended.

interface Metric {
  name: string;
  successCondition: string;
  provider: { prometheus?: { query: string } };
}

const production = parseAllDocuments(
  execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s/overlays/production')], { encoding: 'utf8', timeout: 60_000 }),
).map((d) => d.toJS());
const template = production.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === 'ecosyste-backend-release');
const metrics = (template.spec.metrics as Metric[]).filter((m) => m.provider.prometheus);
const metric = (name: string) => metrics.find((m) => m.name === name)!;
const query = (name: string, hash: string) => metric(name).provider.prometheus!.query.replaceAll('{{args.pod-hash}}', hash).trim();

/** Argo's expression for a metric, evaluated as Argo would on a Prometheus vector result. */
function succeeds(name: string, result: number[]): boolean {
  const expr = metric(name).successCondition.replace(/len\(result\)/g, 'result.length');
  return new Function('result', 'isNaN', `return (${expr});`)(result, Number.isNaN) as boolean;
}

describe('blue-green release analysis (AnalysisTemplate ecosyste-backend-release)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-analysis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Per minute: green serves 240 requests, 15 of them 5xx (6.25 %), all under 500 ms;
  // blue serves 240 with 120 errors, slowly. Only green's numbers may show.
  const series = (hash: string, ok: number, errors: number, fastShare: number) => [
    { series: `http_requests_total{job="ecosyste-backend",rollouts_pod_template_hash="${hash}",status="200"}`, values: `0+${ok}x10` },
    { series: `http_requests_total{job="ecosyste-backend",rollouts_pod_template_hash="${hash}",status="500"}`, values: `0+${errors}x10` },
    ...[
      ['0.25', 0],
      ['0.5', fastShare],
      ['+Inf', ok + errors],
    ].map(([le, count]) => ({
      series: `http_request_duration_seconds_bucket{job="ecosyste-backend",rollouts_pod_template_hash="${hash}",le="${le}"}`,
      values: `0+${count}x10`,
    })),
  ];

  it('measures the new pods only, and the thresholds fail a release with 6.25 % errors', () => {
    writeFileSync(
      join(dir, 'rules.yml'),
      stringify({
        groups: [
          {
            name: 'analysis',
            rules: [
              { record: 'analysis:error_ratio', expr: query('error-ratio', 'green') },
              { record: 'analysis:latency_p95', expr: query('latency-p95', 'green') },
              { record: 'analysis:silent_error_ratio', expr: query('error-ratio', 'unused') },
            ],
          },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'test.yml'),
      stringify({
        rule_files: ['rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [...series('green', 225, 15, 240), ...series('blue', 120, 120, 0)],
            promql_expr_test: [
              // 15 / 240 per minute, whatever blue does.
              { expr: 'analysis:error_ratio', eval_time: '5m', exp_samples: [{ labels: 'analysis:error_ratio', value: 0.0625 }] },
              // Every green request is in (0.25, 0.5]: the 95th percentile interpolates to 0.4875.
              { expr: 'analysis:latency_p95', eval_time: '5m', exp_samples: [{ labels: 'analysis:latency_p95', value: 0.4875 }] },
              // A version without traffic yet has no sample at all.
              { expr: 'analysis:silent_error_ratio', eval_time: '5m', exp_samples: [] },
            ],
          },
        ],
      }),
    );
    const result = spawnSync('promtool', ['test', 'rules', join(dir, 'test.yml')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);

    expect(succeeds('error-ratio', [0.0625])).toBe(false);
    expect(succeeds('error-ratio', [0.005])).toBe(true);
    expect(succeeds('latency-p95', [0.4875])).toBe(true);
    expect(succeeds('latency-p95', [0.9])).toBe(false);
    // No traffic (empty vector) or no observations (NaN) must not block a release.
    expect(succeeds('error-ratio', [])).toBe(true);
    expect(succeeds('latency-p95', [Number.NaN])).toBe(true);
  });

  it('promtool would notice a query that does not measure what it claims', () => {
    writeFileSync(join(dir, 'wrong.yml'), stringify({ groups: [{ name: 'a', rules: [{ record: 'analysis:error_ratio', expr: query('error-ratio', 'blue') }] }] }));
    writeFileSync(
      join(dir, 'wrong-test.yml'),
      stringify({
        rule_files: ['wrong.yml'],
        tests: [
          {
            interval: '1m',
            input_series: [...series('green', 225, 15, 240), ...series('blue', 120, 120, 0)],
            promql_expr_test: [{ expr: 'analysis:error_ratio', eval_time: '5m', exp_samples: [{ labels: 'analysis:error_ratio', value: 0.0625 }] }],
          },
        ],
      }),
    );
    const result = spawnSync('promtool', ['test', 'rules', join(dir, 'wrong-test.yml')], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    // A wrong value, not a malformed test file.
    expect(result.stdout + result.stderr).toMatch(/exp:.*6\.25E-02[\s\S]*got:.*5E-01/);
  });
});
