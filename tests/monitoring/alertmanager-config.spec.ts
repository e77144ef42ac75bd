import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertRules, MONITORING_DIR, readYaml, run } from './support/monitoring-files';

const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-am-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface AlertmanagerConfig {
  global: Record<string, unknown>;
  route: { receiver: string; routes: { receiver: string; matchers: string[] }[] };
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  receivers: { name: string }[];
}

/** The receivers `amtool config routes test` picks for a label set, as the tool prints them. */
async function routeFor(labels: Record<string, string>): Promise<string> {
  const args = ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const res = await run('amtool', args);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout.trim();
}

describe('monitoring/alertmanager.yml', () => {
  const config = readYaml<AlertmanagerConfig>(join(MONITORING_DIR, 'alertmanager.yml'));

  it('is valid for amtool check-config, templates included', async () => {
    const res = await run('amtool', ['check-config', 'alertmanager.yml']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain('SUCCESS');
    expect(res.stdout).toMatch(/- 1 templates/);
    expect(res.stdout).toMatch(/- 3 inhibit rules/);
  });

  it('a broken config is refused by amtool (the check can fail)', async () => {
    const broken = readFileSync(join(MONITORING_DIR, 'alertmanager.yml'), 'utf8').replace('receiver: oncall-critical', 'receiver: nobody');
    writeFileSync(join(tmp, 'broken.yml'), broken);
    const res = await run('amtool', ['check-config', join(tmp, 'broken.yml')]);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toContain('nobody');
  });

  it('routes a critical alert to the incident log and the on-call pager, Slack and e-mail', async () => {
    expect(await routeFor({ alertname: 'HighErrorRate', severity: 'critical', job: 'ecosyste-backend' })).toBe('ecosyste-incidents,oncall-critical');
  });

  it('routes a warning to the incident log and Slack only', async () => {
    expect(await routeFor({ alertname: 'HighResponseTime', severity: 'warning', job: 'ecosyste-backend' })).toBe('ecosyste-incidents,slack-warnings');
  });

  it('routes the Watchdog to the dead-man switch only, never to a human', async () => {
    expect(await routeFor({ alertname: 'Watchdog', severity: 'none' })).toBe('deadmans-switch');
  });

  it('routes an alert without a known severity to the default Slack receiver', async () => {
    expect(await routeFor({ alertname: 'SomethingNew' })).toBe('slack-warnings');
  });

  it('every alert of the rule files reaches the receiver its severity calls for', async () => {
    const expected: Record<string, string> = {
      critical: 'ecosyste-incidents,oncall-critical',
      warning: 'ecosyste-incidents,slack-warnings',
      none: 'deadmans-switch',
    };
    const cases = [...new Map(alertRules().map((r) => [`${r.alert}/${r.labels!.severity}`, r])).values()];
    const routes = await Promise.all(cases.map((r) => routeFor({ alertname: r.alert, severity: r.labels!.severity })));
    cases.forEach((r, i) => expect(routes[i], `${r.alert}/${r.labels!.severity}`).toBe(expected[r.labels!.severity]));
  });

  it('the critical receiver notifies through PagerDuty, Slack and e-mail with the runbook link', () => {
    const raw = readFileSync(join(MONITORING_DIR, 'alertmanager.yml'), 'utf8');
    const oncall = (config.receivers as Record<string, unknown>[]).find((r) => r.name === 'oncall-critical')!;
    expect(Object.keys(oncall).sort()).toEqual(['email_configs', 'name', 'pagerduty_configs', 'slack_configs']);
    expect(raw).toContain('title_link: \'{{ template "ecosyste.runbook" . }}\'');
  });

  it('a critical alert inhibits its warning twin for the same service', () => {
    const twin = config.inhibit_rules[0];
    expect(twin.source_matchers).toEqual(['severity = "critical"']);
    expect(twin.target_matchers).toEqual(['severity = "warning"']);
    expect(twin.equal).toEqual(expect.arrayContaining(['alertname', 'job', 'instance']));
    // Twins exist: the same alert name at both severities.
    const bySeverity = (s: string) => new Set(alertRules().filter((r) => r.labels?.severity === s).map((r) => r.alert));
    const twins = [...bySeverity('critical')].filter((a) => bySeverity('warning').has(a));
    expect(twins).toEqual(expect.arrayContaining(['DatabaseConnectionsHigh', 'EventLoopLagHigh', 'BackendMemoryHigh', 'AvailabilitySLOBurnRate']));
  });

  it('keeps every secret out of the file: only *_file references under /run/secrets', () => {
    const raw = readFileSync(join(MONITORING_DIR, 'alertmanager.yml'), 'utf8');
    expect(raw).not.toMatch(/hooks\.slack\.com|routing_key:|auth_password:|api_url:|credentials:/);
    const files = [...raw.matchAll(/(?:_file|credentials_file): (\S+)/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(f).toMatch(/^\/run\/secrets\/[a-z-]+$/);
  });

  it('the message templates render with the runbook link (amtool template render)', async () => {
    const res = await run('amtool', [
      'template',
      'render',
      '--template.glob=alertmanager/templates/*.tmpl',
      '--template.text={{ template "ecosyste.title" . }}|{{ template "ecosyste.text" . }}',
    ]);
    expect(res.code, res.stderr).toBe(0);
    // amtool renders its own sample data (status "alertstatus", no runbook annotation).
    expect(res.stdout).toMatch(/^\[ALERTSTATUS\] \|/);
    expect(res.stdout).toContain('Runbook:');
    expect(res.stdout).toContain('Graph: ');
  });
});
