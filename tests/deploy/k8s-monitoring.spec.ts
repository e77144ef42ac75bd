import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ROOT } from '../helpers/app-process';

const SCRIPT = join(ROOT, 'scripts', 'generate-k8s-monitoring.mjs');
const GENERATED = join(ROOT, 'k8s', 'components', 'prometheus-operator', 'prometheus-rules.yaml');

describe('PrometheusRule generated from monitoring/', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-k8s-rules-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is up to date with monitoring/ (run node scripts/generate-k8s-monitoring.mjs)', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('carries exactly the groups of every rule file Prometheus loads', () => {
    const prometheus = parse(readFileSync(join(ROOT, 'monitoring', 'prometheus.yml'), 'utf8')) as { rule_files: string[] };
    const rules = parseAllDocuments(readFileSync(GENERATED, 'utf8')).map((d) => d.toJS());
    expect(rules).toHaveLength(prometheus.rule_files.length);
    prometheus.rule_files.forEach((file, i) => {
      const source = parse(readFileSync(join(ROOT, 'monitoring', file), 'utf8'));
      expect(rules[i].kind).toBe('PrometheusRule');
      expect(rules[i].spec.groups).toEqual(source.groups);
    });
  });

  it('passes promtool check rules, group by group as the operator hands them to Prometheus', () => {
    const rules = parseAllDocuments(readFileSync(GENERATED, 'utf8')).map((d) => d.toJS());
    const files = rules.map((rule, i) => {
      const file = join(tmp, `rules-${i}.yml`);
      writeFileSync(file, stringify({ groups: rule.spec.groups }));
      return file;
    });
    const out = execFileSync('promtool', ['check', 'rules', ...files], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });

  it('fails the check when a rule file changes without regenerating', () => {
    // A copy of the repository's monitoring/ with one threshold changed, next to the script.
    const copy = join(tmp, 'repo');
    cpSync(join(ROOT, 'monitoring'), join(copy, 'monitoring'), { recursive: true, filter: (p) => !p.includes('node_modules') });
    cpSync(join(ROOT, 'scripts', 'generate-k8s-monitoring.mjs'), join(copy, 'scripts', 'generate-k8s-monitoring.mjs'));
    cpSync(GENERATED, join(copy, 'k8s', 'components', 'prometheus-operator', 'prometheus-rules.yaml'));
    const alerts = join(copy, 'monitoring', 'alert_rules.yml');
    writeFileSync(alerts, readFileSync(alerts, 'utf8').replace(/for: 5m/, 'for: 6m'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const result = spawnSync(process.execPath, [join(copy, 'scripts', 'generate-k8s-monitoring.mjs'), '--check'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/out of date/);
  });
});
