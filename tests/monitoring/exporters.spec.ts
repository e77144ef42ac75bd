import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { freePort } from '../helpers/free-port';
import { missing, PG_ADMIN_URL, REDIS_TEST_URL } from '../helpers/services';
import { exposedMetricNames, metricsUsed, MONITORING_DIR, run } from './support/monitoring-files';
import { ServiceProcess, spawnService } from './support/monitoring-stack';

/**
 * The exporters the rules and dashboards read, run for real from their Debian packages: every
 * exporter metric name used in monitoring/ must be one the exporter actually exposes, and the
 * blackbox module and the mtail program must do what the alerts expect of them. nginx-exporter is
 * checked in tests/edge/nginx-edge.spec.ts, against the stub_status of the project's own edge
 * nginx: that server block, with its allow list, is what production scrapes.
 */
const tmp = mkdtempSync(join(tmpdir(), 'ecosyste-exporters-'));
const services: ServiceProcess[] = [];
let tls: Server | undefined;
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

async function metricNames(url: string): Promise<Set<string>> {
  return exposedMetricNames(await (await fetch(url)).text());
}

async function start(name: string, cmd: string, args: (port: number) => string[], readyPath: string, env?: NodeJS.ProcessEnv) {
  const port = await freePort();
  const service = await spawnService(name, cmd, args(port), port, readyPath, env);
  services.push(service);
  return service;
}

describe.skipIf((await missing('postgres')) || (await missing('redis')))('exporter metrics used by the rules and dashboards', () => {
  it('postgres-exporter exposes every pg_* metric used', async () => {
    const dsn = new URL(PG_ADMIN_URL);
    dsn.searchParams.set('sslmode', 'disable');
    const exporter = await start('postgres-exporter', 'prometheus-postgres-exporter', (p) => [`--web.listen-address=127.0.0.1:${p}`], '/metrics', {
      PATH: process.env.PATH,
      DATA_SOURCE_NAME: dsn.toString(),
    });
    const exposed = await metricNames(`${exporter.url}/metrics`);
    const used = metricsUsed(/pg_/);
    expect(used).toEqual(expect.arrayContaining(['pg_up', 'pg_stat_activity_count', 'pg_settings_max_connections', 'pg_stat_database_deadlocks']));
    expect(used.filter((m) => !exposed.has(m))).toEqual([]);
  });

  it('redis-exporter exposes every redis_* metric used', async () => {
    const exporter = await start('redis-exporter', 'prometheus-redis-exporter', (p) => ['-redis.addr', REDIS_TEST_URL, '-web.listen-address', `127.0.0.1:${p}`], '/metrics');
    const exposed = await metricNames(`${exporter.url}/metrics`);
    const used = metricsUsed(/redis_/);
    expect(used).toEqual(expect.arrayContaining(['redis_up', 'redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_rejected_connections_total']));
    expect(used.filter((m) => !exposed.has(m))).toEqual([]);
  });

  it("node-exporter exposes the filesystem metrics and the backup job's textfile metric", async () => {
    const textfiles = join(tmp, 'textfile');
    mkdirSync(textfiles);
    // The lines scripts/backup.sh writes when BACKUP_METRICS_FILE points into this directory.
    writeFileSync(
      join(textfiles, 'ecosyste_backup.prom'),
      '# TYPE ecosyste_backup_last_success_timestamp_seconds gauge\necosyste_backup_last_success_timestamp_seconds 1.7e9\n',
    );
    const exporter = await start(
      'node-exporter',
      'prometheus-node-exporter',
      (p) => [`--web.listen-address=127.0.0.1:${p}`, `--collector.textfile.directory=${textfiles}`, '--collector.disable-defaults', '--collector.filesystem', '--collector.textfile'],
      '/metrics',
    );
    const exposed = await metricNames(`${exporter.url}/metrics`);
    const used = [...metricsUsed(/node_/), ...metricsUsed(/ecosyste_backup_/)];
    expect(used).toEqual(expect.arrayContaining(['node_filesystem_avail_bytes', 'ecosyste_backup_last_success_timestamp_seconds']));
    expect(used.filter((m) => !exposed.has(m))).toEqual([]);
    expect(readFileSync(join(ROOT, 'scripts', 'backup.sh'), 'utf8')).toContain('ecosyste_backup_last_success_timestamp_seconds');
  });
});

describe('mtail program for the edge access log', () => {
  it("counts responses by status from lines in nginx's edge log_format, including empty request lines", async () => {
    const nginxConf = readFileSync(join(ROOT, 'nginx.conf'), 'utf8');
    // The program parses this prefix of the format; a change to it must change the program too.
    expect(nginxConf).toContain(`log_format edge '$remote_addr - [$time_iso8601] "$request" $status $body_bytes_sent '`);
    const log = join(tmp, 'access.log');
    writeFileSync(
      log,
      [
        '203.0.113.7 - [2026-11-25T14:00:00+00:00] "GET /api/businesses?page=1 HTTP/2.0" 200 5123 "-" "Mozilla/5.0" rid=a1 rt=0.012 uct=0.000 urt=0.011 ua=10.0.0.5:3001',
        '203.0.113.7 - [2026-11-25T14:00:01+00:00] "GET /api/businesses/x HTTP/2.0" 400 120 "-" "curl/8" rid=a2 rt=0.002 uct=0.000 urt=0.002 ua=10.0.0.5:3001',
        '198.51.100.2 - [2026-11-25T14:00:02+00:00] "POST /api/businesses HTTP/1.1" 502 157 "-" "-" rid=a3 rt=1.002 uct=- urt=- ua=10.0.0.6:3001',
        '2001:db8::1 - [2026-11-25T14:00:03+00:00] "GET / HTTP/1.1" 503 98 "-" "-" rid=a4 rt=0.000 uct=- urt=- ua=-',
        '198.51.100.2 - [2026-11-25T14:00:04+00:00] "" 400 0 "-" "-" rid=a5 rt=0.000 uct=- urt=- ua=-',
        'not an access log line',
      ].join('\n') + '\n',
    );
    const res = await run('mtail', ['--one_shot', '--one_shot_format', 'prometheus', '--progs', join(MONITORING_DIR, 'mtail'), '--logs', log, '--logtostderr']);
    expect(res.code, res.stderr).toBe(0);
    const counts = Object.fromEntries(
      [...res.stdout.matchAll(/^nginx_http_responses_total\{prog="nginx\.mtail",status="(\d+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(counts).toEqual({ '200': 1, '400': 2, '502': 1, '503': 1 });
  });
});

describe('blackbox exporter module https_2xx', () => {
  let exporterUrl: string;
  let target: string;
  let notAfter: number;

  beforeAll(async () => {
    // A certificate for 127.0.0.1 valid 10 days, served by a tiny HTTPS server.
    const key = join(tmp, 'tls.key');
    const cert = join(tmp, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '10', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
      stdio: 'ignore',
    });
    const end = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace('notAfter=', '');
    notAfter = Math.floor(new Date(end).getTime() / 1000);
    const port = await freePort();
    tls = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => res.writeHead(req.url === '/health/live' ? 200 : 404).end('{}'));
    await new Promise<void>((resolve) => tls!.listen(port, '127.0.0.1', resolve));
    target = `https://127.0.0.1:${port}/health/live`;

    // The project's module, plus a second one that trusts this test's certificate.
    const config = parse(readFileSync(join(MONITORING_DIR, 'blackbox', 'blackbox.yml'), 'utf8')) as { modules: Record<string, { http: { tls_config: Record<string, unknown> } }> };
    const trusting = structuredClone(config.modules.https_2xx);
    trusting.http.tls_config.ca_file = cert;
    config.modules.https_2xx_test_ca = trusting;
    writeFileSync(join(tmp, 'blackbox.yml'), stringify(config));
    const exporter = await start('blackbox-exporter', 'prometheus-blackbox-exporter', (p) => [`--config.file=${join(tmp, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${p}`], '/-/healthy');
    exporterUrl = exporter.url;
  });

  const probe = async (module: string) => {
    const text = await (await fetch(`${exporterUrl}/probe?module=${module}&target=${encodeURIComponent(target)}`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return { success: value('probe_success'), expiry: value('probe_ssl_earliest_cert_expiry') };
  };

  it('is valid for blackbox_exporter --config.check, and a broken module is refused', async () => {
    const ok = await run('prometheus-blackbox-exporter', ['--config.check', '--config.file=blackbox/blackbox.yml']);
    expect(ok.code, ok.stderr).toBe(0);
    writeFileSync(join(tmp, 'broken-blackbox.yml'), readFileSync(join(MONITORING_DIR, 'blackbox', 'blackbox.yml'), 'utf8').replace('fail_if_not_ssl', 'fail_if_not_sll'));
    const broken = await run('prometheus-blackbox-exporter', ['--config.check', `--config.file=${join(tmp, 'broken-blackbox.yml')}`]);
    expect(broken.code).not.toBe(0);
  });

  it('reports the certificate expiry TLSCertificateExpiring reads, when the chain is trusted', async () => {
    const trusted = await probe('https_2xx_test_ca');
    expect(trusted.success).toBe(1);
    expect(trusted.expiry).toBe(notAfter);
  });

  it('fails the probe on a certificate it cannot verify (EndpointProbeFailed)', async () => {
    expect((await probe('https_2xx')).success).toBe(0);
  });
});
