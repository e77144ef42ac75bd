// Offline validation of Kubernetes objects against the OpenAPI schemas compiled into the
// kubernetes-models packages (core API, Argo Rollouts, cert-manager, Prometheus Operator).
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const require = createRequire(__filename);

/** apiVersion group → the package and the folder its models live in. */
const PACKAGES: Record<string, string> = {
  '': 'kubernetes-models/v1',
  'argoproj.io': '@kubernetes-models/argo-rollouts/argoproj.io',
  'cert-manager.io': '@kubernetes-models/cert-manager/cert-manager.io',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
};

/**
 * CRDs with no model package (k8s/components/cloudnative-pg): no schema checks them.
 * tests/backup/backup-config.spec.ts asserts the fields the backup relies on (instances, WAL
 * archiving to the ObjectStore, archive_timeout, retention, the ScheduledBackup's cluster and
 * schedule). Listed by name so an unexpected kind still fails here.
 */
const NO_MODEL = new Set(['postgresql.cnpg.io/v1/Cluster', 'postgresql.cnpg.io/v1/ScheduledBackup', 'barmancloud.cnpg.io/v1/ObjectStore']);

function modelPath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!group) return `kubernetes-models/${version}/${kind}`;
  const base = PACKAGES[group] ? `${PACKAGES[group]}/${version}` : `kubernetes-models/${group}/${version}`;
  return `${base}/${kind}`;
}

/**
 * The OpenAPI schemas leave out `additionalProperties: false`, so a misspelt field (readinesProbe)
 * passes them, as it would pass a lenient API server and then silently do nothing. The models'
 * TypeScript types close that gap: each object becomes a typed literal, and tsc's excess-property
 * check names every field the API does not define. Returns tsc's diagnostics, one per line.
 */
export function unknownFields(objects: K8sObject[], dir: string, root: string): string[] {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const lines = objects
    .filter((o) => !NO_MODEL.has(`${o.apiVersion}/${o.kind}`))
    .flatMap((o, i) => [
      `import type { I${o.kind} as T${i} } from '${modelPath(o.apiVersion, o.kind)}';`,
      `// ${o.kind}/${o.metadata.name}`,
      `export const o${i}: T${i} = ${JSON.stringify(o)};`,
    ]);
  writeFileSync(join(dir, 'objects.ts'), lines.join('\n'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'Node16', moduleResolution: 'Node16', skipLibCheck: true, types: [] }, files: ['objects.ts'] }),
  );
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0 && !result.stdout) throw new Error(`tsc failed: ${result.stderr}`);
  // Name the object of each diagnostic by the comment line above its literal.
  return result.stdout
    .split('\n')
    .filter((l) => l.includes('error TS'))
    .map((l) => {
      const line = Number(/\((\d+),/.exec(l)?.[1]);
      return `${lines[line - 2]?.slice(3) ?? '?'}: ${l.replace(/^.*error /, '')}`;
    });
}

/** undefined when valid, else one line naming the object and the first problems. */
export function validateObject(object: K8sObject): string | undefined {
  const id = `${object.apiVersion}/${object.kind}`;
  const where = `${object.kind}/${object.metadata?.name}`;
  if (NO_MODEL.has(id)) return object.metadata?.name ? undefined : `${where}: no metadata.name`;
  let Model: { new (data: unknown): { validate(): void } };
  try {
    Model = require(modelPath(object.apiVersion, object.kind))[object.kind];
  } catch {
    return `${where}: no schema for ${id}`;
  }
  if (!Model) return `${where}: no schema for ${id}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return `${where}: ${(err as Error).message.split('\n').slice(0, 3).join('; ')}`;
  }
}
