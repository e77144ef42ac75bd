import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { alertRules, dashboards, MONITORING_DIR, readYaml, resolveVariables, RULE_FILES, run, RUNBOOK_BASE, scaleDurations } from './support/monitoring-files';

const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-prom-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('monitoring/prometheus.yml', () => {
  it('is valid Prometheus configuration for promtool', async () => {
    const syntax = await run('promtool', ['check', 'config', '--syntax-only', 'prometheus.yml']);
    expect(syntax.stderr + syntax.stdout).toContain('SUCCESS');
    expect(syntax.code).toBe(0);
  });

  it('passes the full check (rule files and secret file included) once the token file exists', async () => {
    // promtool also stats the bearer token file: a copy with only that path changed.
    const tokenFile = join(tmp, 'metrics-token');
    writeFileSync(tokenFile, 'a-metrics-token-for-the-check\n');
    const config = readFileSync(join(MONITORING_DIR, 'prometheus.yml'), 'utf8').replace('/run/secrets/metrics-token', tokenFile);
    expect(config).toContain(tokenFile);
    writeFileSync(join(tmp, 'prometheus.yml'), config);
    for (const f of RULE_FILES) copyFileSync(join(MONITORING_DIR, f), join(tmp, f));
    const res = await run('promtool', ['check', 'config', 'prometheus.yml'], tmp);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain(`SUCCESS: ${RULE_FILES.length} rule files found`);
  });
});

describe('monitoring rule files', () => {
  it("are every file of rule groups under monitoring/, all loaded by prometheus.yml, the seed's alert_rules.yml among them", () => {
    // RULE_FILES comes from prometheus.yml: a rule file it doesn't list would be evaluated by no
    // Prometheus and checked by no spec. Prometheus refuses any top-level key but `groups` in one.
    const onDisk = readdirSync(MONITORING_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .filter((f) => {
        const doc = readYaml<unknown>(join(MONITORING_DIR, f));
        return typeof doc === 'object' && doc !== null && Object.keys(doc).join() === 'groups';
      });
    expect([...RULE_FILES].sort()).toEqual(onDisk.sort());
    expect(RULE_FILES).toEqual(expect.arrayContaining(['alert_rules.yml', 'slo_rules.yml']));
  });

  it('are valid rules for promtool check rules', async () => {
    const res = await run('promtool', ['check', 'rules', ...RULE_FILES]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout.match(/SUCCESS: \d+ rules found/g)).toHaveLength(RULE_FILES.length);
  });

  it('pass their promtool unit tests (monitoring/tests)', async () => {
    const files = readdirSync(join(MONITORING_DIR, 'tests')).filter((f) => f.endsWith('.test.yml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    // One promtool per file: they run side by side.
    const results = await Promise.all(files.map((f) => run('promtool', ['test', 'rules', f], join(MONITORING_DIR, 'tests'))));
    results.forEach((res, i) => {
      expect(res.code, `${files[i]}\n${res.stderr}${res.stdout}`).toBe(0);
      expect(res.stdout).toContain('SUCCESS');
    });
  });

  it('a wrong expectation makes promtool test fail (the rule tests can fail)', async () => {
    const test = {
      rule_files: [join(MONITORING_DIR, 'alert_rules.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'http_requests_total{job="ecosyste-backend",status="500"}', values: '0+30x20' }],
          // 0.5 errors/s fires HighErrorRate: expecting silence must fail.
          alert_rule_test: [{ eval_time: '15m', alertname: 'HighErrorRate', exp_alerts: [] }],
        },
      ],
    };
    writeFileSync(join(tmp, 'wrong.test.yml'), stringify(test));
    const res = await run('promtool', ['test', 'rules', 'wrong.test.yml'], tmp);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toContain('alertname="HighErrorRate"');
  });

  it('scaled for the end-to-end test (60x faster clock), they are still valid rules', async () => {
    for (const f of RULE_FILES) writeFileSync(join(tmp, `scaled-${f}`), scaleDurations(readFileSync(join(MONITORING_DIR, f), 'utf8'), 60));
    const scaled = readFileSync(join(tmp, 'scaled-alert_rules.yml'), 'utf8');
    expect(scaled).toContain('rate(http_requests_total{status=~"5.."}[5s])) > 0.1');
    expect(scaled).toMatch(/^ {8}for: 5s$/m);
    expect(scaled).toContain('> 26 * 3600');
    expect(readFileSync(join(tmp, 'scaled-slo_rules.yml'), 'utf8')).toContain('[4320s]');
    const res = await run('promtool', ['check', 'rules', ...RULE_FILES.map((f) => `scaled-${f}`)], tmp);
    expect(res.code, res.stderr + res.stdout).toBe(0);
  });

  const rules = alertRules();
  const names = [...new Set(rules.map((r) => r.alert))];

  it('keep the seed alerts with their severities', () => {
    const severities = (name: string) => rules.filter((r) => r.alert === name).map((r) => r.labels?.severity);
    expect(severities('HighErrorRate')).toEqual(['critical']);
    expect(severities('HighResponseTime')).toEqual(['warning']);
    expect(severities('DatabaseConnectionsHigh')).toContain('warning');
  });

  it.each(names)('%s has severity, summary, description, a runbook that exists, and rule tests', (name) => {
    for (const rule of rules.filter((r) => r.alert === name)) {
      expect(['critical', 'warning', 'none']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length).toBeGreaterThan(20);
      expect(rule.annotations?.runbook_url).toBe(`${RUNBOOK_BASE}${name}.md`);
    }
    const runbook = join(ROOT, 'docs', 'runbooks', `${name}.md`);
    expect(existsSync(runbook), runbook).toBe(true);
    const text = readFileSync(runbook, 'utf8');
    expect(text).toMatch(new RegExp(`^# ${name}\\b`, 'm'));
    for (const section of ['## What it means', '## What to check', '## What to do']) expect(text).toContain(section);

    // At least one test where it fires and one where it is expected silent.
    const tests = readdirSync(join(MONITORING_DIR, 'tests'))
      .filter((f) => f.endsWith('.test.yml'))
      .map((f) => readFileSync(join(MONITORING_DIR, 'tests', f), 'utf8'))
      .join('\n');
    expect(tests).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    if (name !== 'Watchdog') expect(tests).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts: \\[\\]`));
  });

  it('aggregate the HTTP alerts per service, not per series', () => {
    for (const rule of rules.filter((r) => /http_/.test(r.expr))) {
      expect(rule.expr, rule.alert).toMatch(/(sum|max) by \(job/);
    }
  });
});

describe('Grafana dashboards', () => {
  const all = dashboards();
  const PROVISIONING = join(MONITORING_DIR, 'grafana', 'provisioning');
  const datasources = readYaml<{ datasources: Array<{ uid: string; type: string }> }>(join(PROVISIONING, 'datasources', 'prometheus.yml')).datasources;
  const prometheusUid = datasources.find((d) => d.type === 'prometheus')?.uid;

  it('are loaded from where compose mounts monitoring/grafana/dashboards, with provisioning where Grafana reads it', () => {
    const compose = readYaml<{ services: { grafana: { volumes: string[] } } }>(join(MONITORING_DIR, 'docker-compose.yml'));
    // "./source:/target[:mode]" → source → target
    const mounts = new Map(compose.services.grafana.volumes.map((v) => v.split(':') as [string, string]));
    expect(mounts.get('./grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const providers = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>(join(PROVISIONING, 'dashboards', 'ecosyste.yml')).providers;
    expect(providers.map((p) => [p.type, p.options.path])).toEqual([['file', mounts.get('./grafana/dashboards')]]);
    expect(prometheusUid, 'a prometheus datasource with a uid').toBeTruthy();
  });

  it('every dashboard parses, has a unique uid and uses the provisioned datasource', () => {
    // Discovered from the directory Grafana loads: a new dashboard gets these checks too.
    expect(all.map((d) => d.uid)).toEqual(
      expect.arrayContaining(['ecosyste-monitoring', 'ecosyste-nginx', 'ecosyste-postgres', 'ecosyste-redis', 'ecosyste-runtime', 'ecosyste-slo']),
    );
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      for (const panel of d.json.panels.filter((p) => p.type !== 'row')) {
        expect(panel.datasource?.uid, `${d.uid}/${panel.title}`).toBe(prometheusUid);
        expect(panel.targets?.length, `${d.uid}/${panel.title}`).toBeGreaterThan(0);
      }
    }
  });

  it("the seed's ECOSYSTE Monitoring dashboard keeps its three panels", () => {
    const seed = all.find((d) => d.uid === 'ecosyste-monitoring')!;
    expect(seed.title).toBe('ECOSYSTE Monitoring');
    const titles = seed.json.panels.map((p) => p.title);
    for (const t of ['Request Rate', 'Response Time', 'Database Performance']) expect(titles).toContain(t);
  });

  it('every panel query is valid PromQL (parsed by promtool as a recording rule)', async () => {
    // Grafana's variables resolved as Grafana would, then each expression wrapped in a rule.
    const rules = all.flatMap((d) =>
      d.targets.map((t, i) => ({ record: `dashboard:${d.uid.replaceAll('-', '_')}:${i}`, expr: resolveVariables(t.expr, d, '1m') })),
    );
    const vars = all.flatMap((d) =>
      d.json.templating.list.map((v, i) => {
        const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
        // label_values(metric{…}, label) is Grafana's, not PromQL: the selector inside must parse.
        const selector = /^label_values\((.+), *\w+\)$/.exec(q)?.[1] ?? q;
        return { record: `dashboard_var:${d.uid.replaceAll('-', '_')}:${i}`, expr: resolveVariables(selector, d, '1m') };
      }),
    );
    expect(rules.length).toBeGreaterThan(50);
    writeFileSync(join(tmp, 'dashboards.rules.yml'), stringify({ groups: [{ name: 'dashboards', rules: [...rules, ...vars] }] }));
    const res = await run('promtool', ['check', 'rules', 'dashboards.rules.yml'], tmp);
    expect(res.code, res.stderr + res.stdout).toBe(0);
  });
});
