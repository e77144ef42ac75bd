import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';

// The seed's npm scripts either work or say in one line what they need. No Docker engine and no
// cluster exist on these machines, so here they must say it.
describe('deployment npm scripts', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecosyste-scripts-'));
  // A kubeconfig whose only cluster is a closed loopback port: kubectl can't reach it.
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: none, user: {}}]',
      'contexts: [{name: none, context: {cluster: none, user: none}}]',
      'current-context: none',
    ].join('\n'),
  );
  // DOCKER_HOST points at a socket that doesn't exist, whatever this machine has.
  const env = { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig, DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}` };
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  const run = (script: string, ...args: string[]) =>
    spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });

  it.each(['docker:build', 'docker:run', 'monitor'])('%s says it needs a Docker engine, in one line', (script) => {
    const result = run(script);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs a running Docker engine/);
  });

  it('k8s:deploy says it needs a reachable cluster, in one line', () => {
    const result = run('k8s:deploy');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs a reachable Kubernetes cluster/);
  });

  it('k8s:deploy refuses an overlay that does not exist before touching any cluster', () => {
    const result = run('k8s:deploy', '../../etc');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Unknown overlay "../../etc": expected staging or production (k8s/overlays/).');
  });
});
