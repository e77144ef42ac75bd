// Offline validation of Kubernetes objects against the OpenAPI schemas compiled into the
// kubernetes-models packages (core API, Argo Rollouts, cert-manager, Prometheus Operator).
import { createRequire } from 'node:module';

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
 * CRDs with no model package: written by other work (the backup components) and checked there.
 * Listed by name so an unexpected kind still fails here.
 */
const NO_MODEL = new Set(['postgresql.cnpg.io/v1/Cluster', 'postgresql.cnpg.io/v1/ScheduledBackup', 'barmancloud.cnpg.io/v1/ObjectStore']);

function modelPath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!group) return `kubernetes-models/${version}/${kind}`;
  const base = PACKAGES[group] ? `${PACKAGES[group]}/${version}` : `kubernetes-models/${group}/${version}`;
  return `${base}/${kind}`;
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
