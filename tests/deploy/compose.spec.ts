import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/app-process';
import { repoFiles } from '../helpers/repo-files';
import { parseDockerfile, stages } from './support/dockerfile';

// The Compose Specification's JSON schema, as shipped by the dclint package (kept current with
// compose-spec/compose-spec); no Docker engine or compose plugin runs here.
const dclint = dirname(createRequire(__filename).resolve('dclint/package.json'));
const { $schema: _draft, ...schema } = JSON.parse(readFileSync(join(dclint, 'schemas/compose.schema.json'), 'utf8'));
// (Its $schema is draft-07 under an https URL Ajv doesn't know by that name; Ajv's default is draft-07.)

const text = readFileSync(join(ROOT, 'docker-compose.prod.yml'), 'utf8');
const envExample = parseEnvFile(readFileSync(join(ROOT, '.env.example'), 'utf8'));

interface Service {
  build?: { context: string; dockerfile: string; target?: string };
  image?: string;
  ports?: string[];
  volumes?: Array<string | { type: string; source: string; target: string; volume?: { nocopy?: boolean } }>;
  healthcheck?: { test: string[]; interval?: string };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  deploy?: { resources?: { limits?: { memory?: string } } };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required: boolean }>;
  stop_grace_period?: string;
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$ for a literal $. */
function interpolate(source: string, vars: Record<string, string>): string {
  return source.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}/g, (match, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const value = vars[name!];
    const unset = value === undefined || (op?.startsWith(':') && value === '');
    if (op?.endsWith('-')) return unset ? arg! : value!;
    if (op?.endsWith('?')) {
      if (unset) throw new Error(`required variable ${name}: ${arg}`);
      return value!;
    }
    return value ?? '';
  });
}

function parseEnvFile(source: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of source.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(\S*)/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

const compose = parse(interpolate(text, envExample), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

const validate = addFormats(new Ajv({ allErrors: true, strict: false })).compile(schema);

describe('docker-compose.prod.yml', () => {
  it('validates against the Compose Specification schema, as written and once interpolated', () => {
    expect(validate(parse(text, { merge: true })), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema rejects what compose would (so the check above can fail)', () => {
    expect(validate({ services: { web: { image: 'x', restart: 'sometimes', helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { web: { image: 'x', depends_on: { db: { condition: 'when_ready' } } } } })).toBe(false);
  });

  it('runs the seed services plus the backup', () => {
    expect(Object.keys(services).sort()).toEqual(['backend', 'backup', 'frontend', 'nginx', 'postgres', 'redis']);
    expect(text).not.toMatch(/^version:/m);
  });

  it('refuses to start without the database credentials from .env', () => {
    const { DB_PASSWORD: _unused, ...withoutPassword } = envExample;
    expect(() => interpolate(text, withoutPassword)).toThrow(/DB_PASSWORD/);
  });

  it('documents in .env.example every variable it reads without a default', () => {
    const bare = [...text.matchAll(/(?<!\$)\$\{([A-Za-z_]\w*)(:?[-?])?/g)].filter((m) => m[2] !== ':-').map((m) => m[1]);
    for (const name of new Set(bare)) expect(envExample, name).toHaveProperty(name);
    // The env file itself is never committed.
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it.each(Object.keys(services))('%s has a health check, a restart policy and a memory limit', (name) => {
    const s = services[name];
    expect(s.healthcheck?.test?.[0]).toMatch(/^CMD(-SHELL)?$/);
    expect(s.restart).toBe('unless-stopped');
    expect(s.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
  });

  it('waits for healthy dependencies, never just started ones', () => {
    const edges = Object.entries(services).flatMap(([, s]) => Object.entries(s.depends_on ?? {}));
    expect(edges.length).toBeGreaterThanOrEqual(6);
    for (const [dep, cond] of edges) {
      expect(services[dep]).toBeDefined();
      expect(cond.condition).toBe('service_healthy');
    }
    expect(Object.keys(services.nginx.depends_on!)).toEqual(expect.arrayContaining(['backend', 'frontend']));
    expect(Object.keys(services.backend.depends_on!)).toEqual(expect.arrayContaining(['postgres', 'redis']));
  });

  it('publishes 80 and 443 on nginx only', () => {
    for (const [name, s] of Object.entries(services)) if (name !== 'nginx') expect(s.ports, name).toBeUndefined();
    expect(services.nginx.ports).toEqual(['80:80', '443:443']);
  });

  it('keeps data in named volumes, and mounts the edge config and certificates read-only', () => {
    const named = Object.keys(compose.volumes);
    expect(named).toEqual(expect.arrayContaining(['postgres_data', 'redis_data', 'backups']));
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        if (typeof volume === 'object') {
          expect((volume as { type: string }).type).toBe('volume');
          expect(named).toContain((volume as { source: string }).source);
          continue;
        }
        const [source, , mode] = volume.split(':');
        if (named.includes(source)) continue;
        // A bind mount: only nginx's configuration and certificates, and only read-only.
        expect(name).toBe('nginx');
        expect(mode).toBe('ro');
      }
    }
    expect(services.nginx.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(services.nginx.volumes!.some((v) => typeof v === 'string' && v.endsWith(':/etc/letsencrypt:ro'))).toBe(true);
  });

  it('is reachable by the monitoring stack: its network, the nginx log volume and the scrape targets', () => {
    const monitoring = readFileSync(join(ROOT, 'monitoring', 'docker-compose.yml'), 'utf8');
    const project = (parse(text) as { name: string }).name;
    // Compose names the default network and the volumes after the project.
    expect(monitoring).toContain(`\${ECOSYSTE_NETWORK:-${project}_default}`);
    expect(monitoring).toContain(`\${ECOSYSTE_NGINX_LOGS:-${project}_nginx_logs}`);
    expect(text).not.toMatch(/^networks:/m);
    const logs = services.nginx.volumes!.find((v) => typeof v === 'object');
    expect(logs).toMatchObject({ source: 'nginx_logs', target: '/var/log/nginx', volume: { nocopy: true } });
    // Every host:port the monitoring stack and prometheus.yml reach is a service of this file.
    const prometheus = readFileSync(join(ROOT, 'monitoring', 'prometheus.yml'), 'utf8');
    const hosts = new Set([...`${monitoring}\n${prometheus}`.matchAll(/\b(backend|postgres|redis|nginx|frontend):\d+/g)].map((m) => m[1]));
    expect(hosts.size).toBeGreaterThanOrEqual(3);
    for (const host of hosts) expect(Object.keys(services)).toContain(host);
  });

  it('runs Redis with the append-only file', () => {
    const cmd = services.redis.command!;
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
  });

  it("lets pgBackRest log in as the database's superuser (the image's POSTGRES_USER, not a 'postgres' that may not exist)", () => {
    const env = services.postgres.environment!;
    expect(env.PGBACKREST_PG1_USER).toBeTruthy();
    expect(env.PGBACKREST_PG1_USER).toBe(env.POSTGRES_USER);
  });

  it('points the backend at the compose services and lets it drain before SIGKILL', () => {
    const env = services.backend.environment!;
    expect(new URL(env.DATABASE_URL).host).toBe('postgres:5432');
    expect(new URL(env.REDIS_URL).host).toBe('redis:6379');
    expect(env.NODE_ENV).toBe('production');
    const grace = Number.parseInt(services.backend.stop_grace_period!, 10) * 1000;
    expect(grace).toBeGreaterThan(Number(envExample.SHUTDOWN_TIMEOUT_MS));
    expect(services.backend.env_file).toEqual([{ path: '.env', required: true }]);
  });

  it("gives the backend an environment its own config validation accepts (.env.example, then compose's)", () => {
    // Compose's order: the env_file first, `environment:` over it.
    const env = { ...envExample, ...services.backend.environment! };
    const loader = join(ROOT, 'apps/backend/dist/config/config.loader.js');
    const script = `const c = require(${JSON.stringify(loader)}).loadConfig(process.env); process.stdout.write(JSON.stringify({ port: c.server.port, env: c.env ?? c.server.env }))`;
    const ok = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).port).toBe(3001);
    // And the same check refuses a broken value, so passing means something.
    const bad = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env, PORT: 'eighty' }, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/PORT/);
  });

  it('builds from Dockerfiles and targets that exist, and pins every pulled image', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) {
        expect(s.build.context).toBe('.');
        const names = stages(parseDockerfile(readFileSync(join(ROOT, s.build.dockerfile), 'utf8'))).map((st) => st.name);
        if (s.build.target) expect(names, name).toContain(s.build.target);
      } else {
        expect(s.image, name).toMatch(/:[0-9][\w.-]*$/);
      }
    }
  });
});

const DCLINT = join(ROOT, 'node_modules', '.bin', 'dclint');

/**
 * dclint rules a Compose file breaks on purpose. docker-compose.prod.yml names each image it can
 * build (build and image together: `up` runs the tag `npm run docker:build` or the pipeline made,
 * and builds it only when missing), and its edge serves the world on 80 and 443, every interface.
 */
const DCLINT_EXCEPTIONS: Record<string, string[]> = {
  'docker-compose.prod.yml': ['no-build-and-image', 'no-unbound-port-interfaces'],
};

/** Every Compose file in the repository, known by its top-level `services:` (monitoring/elk-stack.yml's name doesn't say). */
const composeFiles = repoFiles().filter((f) => /\.ya?ml$/.test(f) && /^services:/m.test(readFileSync(join(ROOT, f), 'utf8')));
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

describe('every Compose file', () => {
  it('finds the repository Compose files', () => {
    expect(composeFiles).toEqual(expect.arrayContaining(['docker-compose.prod.yml', 'monitoring/docker-compose.yml', 'monitoring/elk-stack.yml']));
  });

  it.each(composeFiles)('%s validates against the Compose Specification schema', (file) => {
    expect(validate(parse(read(file), { merge: true })), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(composeFiles)('%s passes dclint beyond its documented exceptions', (file) => {
    const disabled = (DCLINT_EXCEPTIONS[file] ?? []).flatMap((rule) => ['--disable-rule', rule]);
    const result = spawnSync(DCLINT, ['-q', file, ...disabled], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('dclint refuses a broken file (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecosyste-compose-'));
    try {
      const broken = read('monitoring/elk-stack.yml').replace('    restart: unless-stopped', '    restart_policy: unless-stopped');
      writeFileSync(join(dir, 'broken-compose.yml'), broken);
      expect(spawnSync(DCLINT, ['-q', join(dir, 'broken-compose.yml')], { cwd: ROOT, timeout: 60_000 }).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(composeFiles)('%s builds each image or pulls one pinned to a version, and mounts only files that exist', (file) => {
    const { services: all } = parse(read(file)) as { services: Record<string, Service> };
    for (const [name, service] of Object.entries(all)) {
      if (!service.build) expect(service.image, `${file}: ${name}`).toMatch(/:v?\d+\.\d+\.\d+(-[a-z]+)?$/);
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.type === 'bind' ? volume.source : '';
        if (source.startsWith('./')) expect(existsSync(join(ROOT, dirname(file), source)), `${file}: ${name} mounts ${source}`).toBe(true);
      }
    }
  });
});
