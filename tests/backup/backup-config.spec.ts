import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** `kubectl kustomize` of one component on an otherwise empty kustomization. */
function buildComponent(component: string): Array<Record<string, any>> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-kustomize-'));
  try {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ecosyste\ncomponents:\n  - ${relative(dir, join(ROOT, component))}\n`,
    );
    const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    return parseAllDocuments(out).map((d) => d.toJS());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Schedule → command of every job line in a crontab file. */
function cronJobs(path: string): Map<string, string> {
  const jobs = new Map<string, string>();
  for (const line of read(path).split('\n')) {
    const m = /^(\S+ \S+ \S+ \S+ \S+) (.*)$/.exec(line);
    if (m && !line.startsWith('#') && !/^\w+=/.test(line)) jobs.set(m[1], m[2]);
  }
  return jobs;
}

describe('backup scripts and configuration', () => {
  it.each(['backup/crontab', 'backup/pgbackrest/crontab'])('cron accepts %s', (file) => {
    // Debian's crontab parses the whole file before installing it; nobody's table is borrowed
    // for a moment and removed.
    expect(spawnSync('crontab', ['-u', 'nobody', '-l']).status, 'nobody already has a crontab: not clobbering it').not.toBe(0);
    try {
      const result = spawnSync('crontab', ['-u', 'nobody', join(ROOT, file)], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      spawnSync('crontab', ['-u', 'nobody', '-r']);
    }
  });

  it("keeps the seed's two cron lines, pointing at scripts that exist", () => {
    const jobs = cronJobs('backup/crontab');
    expect([...jobs]).toEqual([
      ['0 2 * * *', '/scripts/backup.sh >> /var/log/backup.log 2>&1'],
      ['0 1 * * 0', '/scripts/full_backup.sh >> /var/log/backup.log 2>&1'],
    ]);
    // /scripts in the image is scripts/ here (Dockerfile.backup copies them).
    for (const command of jobs.values()) expect(existsSync(join(ROOT, command.split(' ')[0].replace('/scripts/', 'scripts/')))).toBe(true);
  });

  it('Dockerfile.backup copies files that exist, pins its base and overrides the entrypoint', () => {
    const dockerfile = read('Dockerfile.backup');
    const from = /^FROM (\S+)/m.exec(dockerfile)![1];
    expect(from).toMatch(/:\d[\w.-]*$/);
    const copied = [...dockerfile.matchAll(/^COPY (?:--\S+ )*(.+) (\S+)$/gm)].flatMap((m) => m[1].split(' '));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect(existsSync(join(ROOT, source)), source).toBe(true);
    // Everything the crontab and the CronJobs call is in /scripts.
    for (const script of ['backup.sh', 'restore.sh', 'restore-redis.sh', 'full_backup.sh']) expect(copied).toContain(`scripts/${script}`);
    expect(copied).toContain('backup/crontab');
    expect(dockerfile).toMatch(/postgresql-client-\$\{PG_MAJOR\}/);
    expect(dockerfile).toMatch(/^ARG PG_MAJOR=1[7-9]$/m);
    for (const tool of ['redis-tools', 'age', 'awscli', 'jq', 'cron']) expect(dockerfile).toContain(` ${tool}`);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/local/bin/backup-entrypoint.sh"]');

    const postgres = read('backup/postgres/Dockerfile');
    for (const m of postgres.matchAll(/^COPY (\S+) /gm)) expect(existsSync(join(ROOT, m[1])), m[1]).toBe(true);
  });

  it('the entrypoint runs a given command once instead of starting cron', () => {
    const result = spawnSync('bash', [join(ROOT, 'backup/docker-entrypoint.sh'), 'echo', 'one-off'], { encoding: 'utf8' });
    expect(result.stdout).toBe('one-off\n');
    expect(result.status).toBe(0);
    const noUrl = spawnSync('bash', [join(ROOT, 'backup/docker-entrypoint.sh'), 'cron'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(noUrl.status).not.toBe(0);
    expect(noUrl.stderr).toContain('DATABASE_URL is not set');
  });

  it('k8s/components/backup builds alone into two locked-down CronJobs on the crontab schedule', () => {
    const docs = buildComponent('k8s/components/backup');
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
    const jobs = docs.filter((d) => d.kind === 'CronJob');
    expect(jobs.map((c) => c.metadata.name).sort()).toEqual(['ecosyste-backup-daily', 'ecosyste-backup-weekly']);

    const crontab = cronJobs('backup/crontab');
    for (const job of jobs) {
      expect(job.metadata.namespace).toBe('ecosyste');
      expect(job.spec.concurrencyPolicy).toBe('Forbid');
      expect(job.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
      expect(job.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
      expect(job.spec.jobTemplate.spec.backoffLimit).toBeGreaterThan(0);
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const [container] = pod.containers;
      expect(container.image).toMatch(/^ecosyste\/backup:/);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(container.resources.limits.memory).toBeDefined();
      expect(container.resources.requests.cpu).toBeDefined();

      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
      expect(env.DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: 'ecosyste-secrets', key: 'database-url' });
      expect(env.REDIS_URL.valueFrom.secretKeyRef).toEqual({ name: 'ecosyste-secrets', key: 'redis-url', optional: true });

      // Every writable path is a volume: the PVC for archives, an emptyDir for /tmp.
      const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
      const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, volumes[m.name]]));
      expect(mounts['/backups'].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
      expect(mounts['/tmp'].emptyDir).toBeDefined();
      expect(env.BACKUP_DIR.value).toBe('/backups');

      // The pods fall under a NetworkPolicy that lets them reach the database.
      const policy = docs.find((d) => d.kind === 'NetworkPolicy')!;
      expect(job.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
      expect(policy.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port))).toContain(5432);

      // Same schedule and script as the compose service's crontab.
      expect(crontab.get(job.spec.schedule)).toBe(`/scripts/${container.args[0]} >> /var/log/backup.log 2>&1`);
    }
  });

  it('k8s/components/cloudnative-pg builds alone: 3 instances archiving to the object store that is scheduled for backups', () => {
    const docs = buildComponent('k8s/components/cloudnative-pg');
    const cluster = docs.find((d) => d.kind === 'Cluster')!;
    const store = docs.find((d) => d.kind === 'ObjectStore')!;
    const scheduled = docs.find((d) => d.kind === 'ScheduledBackup')!;

    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster.spec.instances).toBe(3);
    const [plugin] = cluster.spec.plugins;
    expect(plugin).toMatchObject({ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: store.metadata.name } });
    expect(cluster.spec.postgresql.parameters.archive_timeout).toBe('60s');
    expect(store.spec.configuration.destinationPath).toMatch(/^s3:\/\//);
    expect(store.spec.retentionPolicy).toMatch(/^\d+[dwm]$/);

    expect(scheduled.spec.cluster.name).toBe(cluster.metadata.name);
    expect(scheduled.spec).toMatchObject({ method: 'plugin', pluginConfiguration: { name: plugin.name } });
    // Six fields, seconds first, in CloudNativePG's cron syntax.
    expect(scheduled.spec.schedule.split(' ')).toHaveLength(6);
  });
});
