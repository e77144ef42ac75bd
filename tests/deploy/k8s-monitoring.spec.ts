import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { MONITORING_DIR, RULE_FILES } from '../monitoring/support/monitoring-files';

const SCRIPT = join(ROOT, 'scripts', 'generate-k8s-monitoring.mjs');
const GENERATED = join(ROOT, 'k8s', 'components', 'prometheus-operator', 'prometheus-rules.yaml');

// No promtool run here: the groups are shown equal to monitoring/'s rule files, which
// tests/monitoring/prometheus-rules.spec.ts checks and unit-tests with promtool.
describe('PrometheusRule generated from monitoring/', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-k8s-rules-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // Byte for byte, so names, labels and the do-not-edit header are the generator's too.
  it('is up to date with monitoring/ (run node scripts/generate-k8s-monitoring.mjs)', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  // Read without the generator, so a generator that dropped or altered a rule is caught too.
  it('carries exactly the groups of every rule file Prometheus loads, one PrometheusRule each', () => {
    expect(RULE_FILES).toContain('alert_rules.yml');
    const rules = parseAllDocuments(readFileSync(GENERATED, 'utf8')).map((d) => d.toJS());
    expect(rules).toHaveLength(RULE_FILES.length);
    RULE_FILES.forEach((file, i) => {
      const source = parse(readFileSync(join(MONITORING_DIR, file), 'utf8'));
      expect(rules[i].kind).toBe('PrometheusRule');
      expect(rules[i].spec.groups, file).toEqual(source.groups);
    });
  });

  it('fails the check when a rule file changes without regenerating', () => {
    // A copy of the repository's monitoring/ with one threshold changed, next to the script.
    const copy = join(tmp, 'repo');
    cpSync(MONITORING_DIR, join(copy, 'monitoring'), { recursive: true, filter: (p) => !p.includes('node_modules') });
    cpSync(SCRIPT, join(copy, 'scripts', 'generate-k8s-monitoring.mjs'));
    cpSync(GENERATED, join(copy, 'k8s', 'components', 'prometheus-operator', 'prometheus-rules.yaml'));
    const alerts = join(copy, 'monitoring', 'alert_rules.yml');
    writeFileSync(alerts, readFileSync(alerts, 'utf8').replace(/for: 5m/, 'for: 6m'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const result = spawnSync(process.execPath, [join(copy, 'scripts', 'generate-k8s-monitoring.mjs'), '--check'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/out of date/);
  });
});
