// `npm run k8s:deploy [-- staging|production]`: applies a Kustomize overlay to the cluster of the
// current kubectl context, or says in one line what is missing. K8S_OVERLAY works too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const overlay = process.argv[2] ?? process.env.K8S_OVERLAY ?? 'staging';
const dir = join(root, 'k8s', 'overlays', overlay);

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (!/^[a-z][a-z0-9-]*$/.test(overlay) || !existsSync(join(dir, 'kustomization.yaml'))) {
  fail(`Unknown overlay "${overlay}": expected staging or production (k8s/overlays/).`);
}
const version = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
if (version.error || version.status !== 0) fail('This command needs kubectl (with its built-in kustomize); it is not installed.');
// A short timeout: without a cluster the default retries take a minute and print pages.
const reach = spawnSync('kubectl', ['--request-timeout=5s', 'get', '--raw=/readyz'], { encoding: 'utf8' });
if (reach.status !== 0) fail('This command needs a reachable Kubernetes cluster (kubectl current context); none answered.');

const apply = spawnSync('kubectl', ['apply', '-k', dir], { stdio: 'inherit' });
process.exit(apply.status ?? 1);
