import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { K8sObject, unknownFields, validateObject } from './support/k8s-schema';

// Every overlay on disk rather than a typed list: a new environment gets each check below.
const OVERLAYS = readdirSync(join(ROOT, 'k8s', 'overlays'))
  .filter((name) => existsSync(join(ROOT, 'k8s', 'overlays', name, 'kustomization.yaml')))
  .sort();

function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s', dir)], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

const built: Record<string, K8sObject[]> = Object.fromEntries(OVERLAYS.map((o) => [o, kustomize(`overlays/${o}`)]));
const cluster = kustomize('cluster');

type PodSpec = {
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: unknown[];
  automountServiceAccountToken?: boolean;
};
type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  volumeMounts?: Array<{ mountPath: string }>;
};

/** Every pod template of the output: Deployments, Rollouts with a template, Jobs, CronJobs. */
function podTemplates(objects: K8sObject[]): Array<{ owner: string; kind: string; spec: PodSpec }> {
  const result: Array<{ owner: string; kind: string; spec: PodSpec }> = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, any> | undefined;
    const pod = o.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    if (pod) result.push({ owner: `${o.kind}/${o.metadata.name}`, kind: o.kind, spec: pod });
  }
  return result;
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The namespace an overlay declares in its kustomization.yaml. */
const namespaceOf = (overlay: string) =>
  (parse(readFileSync(join(ROOT, 'k8s', 'overlays', overlay, 'kustomization.yaml'), 'utf8')) as { namespace?: string }).namespace;

describe('k8s/overlays', () => {
  it('holds the staging and production overlays the deploy workflow applies, each in its own namespace', () => {
    expect(OVERLAYS).toEqual(expect.arrayContaining(['staging', 'production']));
    expect(namespaceOf('production')).toBe('ecosyste');
    expect(namespaceOf('staging')).toBe('ecosyste-staging');
    expect(new Set(OVERLAYS.map(namespaceOf)).size).toBe(OVERLAYS.length);
  });
});

describe.each(OVERLAYS)('k8s overlay %s', (overlay) => {
  const objects = built[overlay];
  const namespace = namespaceOf(overlay);

  it('builds with kubectl kustomize into one namespace', () => {
    expect(namespace, 'namespace: in its kustomization.yaml').toBeTruthy();
    expect(objects.length).toBeGreaterThan(15);
    for (const o of objects) {
      if (o.kind === 'Namespace') expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(namespace);
    }
  });

  it('validates every object against its OpenAPI schema', () => {
    const problems = objects.map(validateObject).filter((p): p is string => p !== undefined);
    expect(problems).toEqual([]);
  });

  it('runs every container non-root, read-only, unprivileged, with limits and a pinned image', () => {
    const templates = podTemplates(objects);
    expect(templates.length).toBeGreaterThanOrEqual(2);
    for (const { owner, spec } of templates) {
      expect(spec.securityContext?.runAsNonRoot, owner).toBe(true);
      expect(spec.securityContext?.seccompProfile?.type, owner).toBe('RuntimeDefault');
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${owner} ${c.name}`;
        expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(c.securityContext?.capabilities?.drop, where).toContain('ALL');
        expect(c.resources?.limits?.memory, where).toBeDefined();
        expect(c.resources?.limits?.cpu, where).toBeDefined();
        expect(c.resources?.requests?.memory, where).toBeDefined();
        expect(c.resources?.requests?.cpu, where).toBeDefined();
        // A tag or digest, never latest.
        expect(c.image, where).toMatch(/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/);
        expect(c.image, where).not.toMatch(/:latest$/);
      }
    }
  });

  it.each(['ecosyste-backend', 'ecosyste-frontend'])('%s: three replicas, probes, draining, spread, PDB, HPA', (name) => {
    const deployment = find(objects, 'Deployment', name)!;
    const rollout = find(objects, 'Rollout', name);
    const spec = (deployment.spec as { template: { spec: PodSpec }; replicas: number });
    // Under blue-green the Rollout runs the pods and the Deployment only lends its template.
    const replicas = rollout ? (rollout.spec as { replicas: number }).replicas : spec.replicas;
    expect(replicas).toBeGreaterThanOrEqual(3);
    if (rollout) expect(spec.replicas).toBe(0);

    const pod = spec.template.spec;
    const container = pod.containers[0];
    expect(container.livenessProbe?.httpGet?.path).toBeDefined();
    expect(container.readinessProbe?.httpGet?.path).toBeDefined();
    expect(container.startupProbe?.httpGet?.path).toBeDefined();
    if (name === 'ecosyste-backend') {
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    }
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(preStop).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds!).toBeGreaterThan(preStop);
    expect(pod.topologySpreadConstraints?.length).toBeGreaterThanOrEqual(1);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');

    const pdb = find(objects, 'PodDisruptionBudget', name)!;
    expect(pdb).toBeDefined();
    expect((pdb.spec as { selector: unknown }).selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': name } });

    const hpa = find(objects, 'HorizontalPodAutoscaler', name)!.spec as Record<string, any>;
    expect(hpa.minReplicas).toBe(3);
    expect(hpa.maxReplicas).toBe(10);
    expect(hpa.metrics.map((m: { resource: { name: string } }) => m.resource.name).sort()).toEqual(['cpu', 'memory']);
    expect(hpa.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    expect(hpa.scaleTargetRef).toEqual(
      rollout ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name } : { apiVersion: 'apps/v1', kind: 'Deployment', name },
    );
  });

  it('drains the backend within its grace period', () => {
    const config = find(objects, 'ConfigMap', 'ecosyste-config')!.data as Record<string, string>;
    const pod = (find(objects, 'Deployment', 'ecosyste-backend')!.spec as { template: { spec: PodSpec } }).template.spec;
    const preStop = pod.containers[0].lifecycle!.preStop!.sleep!.seconds;
    expect(preStop + Number(config.SHUTDOWN_TIMEOUT_MS) / 1000).toBeLessThan(pod.terminationGracePeriodSeconds!);
  });

  it('reads secrets only from ecosyste-secrets, whose template lists every key used', () => {
    const template = parseAllDocuments(readFileSync(join(ROOT, 'k8s/base/secret.template.yaml'), 'utf8'))[0].toJS() as K8sObject;
    expect(validateObject(template)).toBeUndefined();
    const keys = Object.keys(template.stringData as Record<string, string>);
    for (const value of Object.values(template.stringData as Record<string, string>)) expect(value).toBe('');
    const pod = (find(objects, 'Deployment', 'ecosyste-backend')!.spec as { template: { spec: { containers: Array<{ env: any[] }> } } }).template.spec;
    const refs = pod.containers[0].env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.valueFrom.secretKeyRef);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.name).toBe('ecosyste-secrets');
      expect(keys).toContain(ref.key);
    }
    expect(objects.some((o) => o.kind === 'Secret' && o.metadata.name === 'ecosyste-secrets')).toBe(false);
  });

  it('serves HTTPS through cert-manager, routes /api and /health to the backend and never /metrics', () => {
    const ingress = find(objects, 'Ingress', 'ecosyste')!;
    expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    const issuer = find(cluster, 'ClusterIssuer', 'letsencrypt')!.spec as { acme: { server: string } };
    expect(issuer.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    const spec = ingress.spec as { tls: Array<{ hosts: string[] }>; rules: Array<{ host: string; http: { paths: any[] } }> };
    expect(spec.tls[0].hosts).toContain(spec.rules[0].host);
    const routes = Object.fromEntries(spec.rules[0].http.paths.map((p) => [p.path, p.backend.service.name]));
    expect(routes).toEqual({ '/api': 'ecosyste-backend', '/health': 'ecosyste-backend', '/': 'ecosyste-frontend' });
  });

  it('lets only the ingress controller and Prometheus in, and the backend out only to DNS, PostgreSQL and Redis', () => {
    const policy = (name: string) => find(objects, 'NetworkPolicy', name)!.spec as Record<string, any>;
    const backend = policy('ecosyste-backend');
    expect(backend.policyTypes).toEqual(['Ingress', 'Egress']);
    const sources = backend.ingress.flatMap((r: any) => r.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']));
    expect(sources.sort()).toEqual(['ingress-nginx', 'monitoring']);
    const egressPorts = backend.egress.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort();
    expect(egressPorts).toEqual([53, 53, 5432, 6379]);
    const frontend = policy('ecosyste-frontend');
    expect(frontend.egress).toEqual([]);
    expect(frontend.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
  });

  it('scrapes the backend with the metrics token and loads monitoring/ rules', () => {
    const monitor = find(objects, 'ServiceMonitor', 'ecosyste-backend')!.spec as Record<string, any>;
    expect(monitor.endpoints[0].path).toBe('/metrics');
    expect(monitor.endpoints[0].authorization.credentials).toEqual({ name: 'ecosyste-secrets', key: 'metrics-token' });
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.labels?.['ecosyste.com/scrape'] === 'backend')!;
    // The job label comes from this Service label: the rules select job="ecosyste-backend".
    expect(service.metadata.labels?.[monitor.jobLabel]).toBe('ecosyste-backend');
    expect(objects.filter((o) => o.kind === 'PrometheusRule').length).toBeGreaterThanOrEqual(1);
  });
});

describe('k8s/cluster (cluster-wide prerequisites)', () => {
  it('holds the Let\'s Encrypt ClusterIssuers, valid and without a namespace', () => {
    expect(cluster.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ClusterIssuer/letsencrypt', 'ClusterIssuer/letsencrypt-staging']);
    for (const o of cluster) {
      expect(validateObject(o)).toBeUndefined();
      expect(o.metadata.namespace).toBeUndefined();
    }
  });
});

describe('field names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-k8s-types-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every field of every object is one the API defines (and a misspelt one is caught)', () => {
    const typo = structuredClone(built.staging.find((o) => o.kind === 'Deployment')!);
    typo.metadata.name = 'deliberate-typo';
    const container = (typo.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    const all = [...Object.values(built).flat(), ...cluster, typo];
    const problems = unknownFields(all, join(dir, 'check'), ROOT);
    // Fields newer than the model packages of the Node 20 line: cert-manager >= 1.12's
    // ingressClassName (the successor of `class`) in the ClusterIssuers' HTTP-01 solver.
    const newerThanModels = (p: string) => /^ClusterIssuer\/[\w-]+: .*'"ingressClassName"'/.test(p);
    const real = problems.filter((p) => !newerThanModels(p));
    expect(real.filter((p) => !p.startsWith('Deployment/deliberate-typo'))).toEqual([]);
    expect(real).toHaveLength(1);
    expect(real[0]).toMatch(/^Deployment\/deliberate-typo: .*readinesProbe/);
  });
});

describe('the schema check', () => {
  it('rejects a malformed object, so a passing overlay means something', () => {
    const deployment = structuredClone(find(built.staging, 'Deployment', 'ecosyste-backend')!);
    (deployment.spec as { replicas: unknown }).replicas = 'three';
    expect(validateObject(deployment)).toMatch(/replicas/);
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toMatch(/no schema/);
  });
});

describe('blue-green (production)', () => {
  const objects = built.production;
  const rollout = find(objects, 'Rollout', 'ecosyste-backend')!.spec as Record<string, any>;

  it('is production-only', () => {
    expect(find(built.staging, 'Rollout', 'ecosyste-backend')).toBeUndefined();
  });

  it('takes the Deployment template and switches the active Service after analysis', () => {
    expect(rollout.workloadRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ecosyste-backend' });
    const bg = rollout.strategy.blueGreen;
    expect(find(objects, 'Service', bg.activeService)).toBeDefined();
    expect(find(objects, 'Service', bg.previewService)).toBeDefined();
    expect(bg.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
    for (const phase of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
      const templateName = bg[phase].templates[0].templateName;
      const template = find(objects, 'AnalysisTemplate', templateName)!.spec as Record<string, any>;
      expect(template, phase).toBeDefined();
      const required = template.args.filter((a: any) => a.value === undefined).map((a: any) => a.name).sort();
      expect(bg[phase].args.map((a: any) => a.name).sort()).toEqual(required);
    }
  });

  it('checks error ratio and p95 latency of the new pods only, failing the release past the limits', () => {
    const template = find(objects, 'AnalysisTemplate', 'ecosyste-backend-release')!.spec as Record<string, any>;
    const prom = template.metrics.filter((m: any) => m.provider.prometheus);
    expect(prom.map((m: any) => m.name).sort()).toEqual(['error-ratio', 'latency-p95']);
    for (const m of prom) {
      expect(m.provider.prometheus.query).toContain('rollouts_pod_template_hash="{{args.pod-hash}}"');
      expect(m.failureLimit).toBeLessThanOrEqual(1);
      expect(m.successCondition).toMatch(/result\[0\] <= [\d.]+/);
    }
    expect(prom.find((m: any) => m.name === 'error-ratio').provider.prometheus.query).toContain('status=~"5.."');
    expect(prom.find((m: any) => m.name === 'latency-p95').provider.prometheus.query).toContain('histogram_quantile(0.95');
  });
});
