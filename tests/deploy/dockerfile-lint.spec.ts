import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { repoFiles } from '../helpers/repo-files';
import { execForm, flag, parseDockerfile, stages } from './support/dockerfile';
import { dockerignore } from './support/image-replay';
import { lintDockerfile } from './support/dockerfile-lint';

/**
 * Rules an image breaks on purpose, as `# hadolint ignore=` would say. Dockerfile.backup (the
 * backup work's image): cron must start as root and drops to uid 10001 for each job (DL3002), and
 * its packages come from Debian and PGDG, whose exact versions are replaced at every point release
 * (DL3008: a pinned version would stop building within weeks; the base image tag is pinned).
 */
const EXCEPTIONS: Record<string, string[]> = {
  'Dockerfile.backup': ['DL3002', 'DL3008'],
  // The official postgres entrypoint starts as root to own the data volume, then drops to the
  // postgres user itself (gosu) before the server starts; pgBackRest comes from PGDG, as above.
  'backup/postgres/Dockerfile': ['DL3002', 'DL3008'],
};

/** Every Dockerfile in the repository: the root images and the ones beside their service's files. */
const dockerfiles = repoFiles().filter((f) => /(^|\/)Dockerfile(\.[^/]+)?$/.test(f));
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/** The backend image's CMD, exec form: `node`, its flags, then the entry point. */
const backendCmd = () => execForm(parseDockerfile(read('Dockerfile.backend')).filter((i) => i.keyword === 'CMD').at(-1)!.args)!;
/** The options of a command line (everything after the program that starts with a dash). */
const flagsOf = (argv: string[]) => argv.slice(1).filter((a) => a.startsWith('-'));

describe('Dockerfile lint (hadolint rules)', () => {
  it('finds the repository Dockerfiles', () => {
    expect(dockerfiles).toEqual(
      expect.arrayContaining(['Dockerfile.backend', 'Dockerfile.frontend', 'Dockerfile.backup', 'backup/postgres/Dockerfile', 'monitoring/mtail/Dockerfile']),
    );
  });

  it.each(dockerfiles)('%s has no finding beyond its documented exceptions', (file) => {
    const allowed = EXCEPTIONS[file] ?? [];
    expect(lintDockerfile(read(file)).filter((f) => !allowed.includes(f.rule))).toEqual([]);
  });

  it.each([
    ['FROM node\nUSER node\nCMD ["node"]', 'DL3006'],
    ['FROM node:latest\nUSER node\nCMD ["node"]', 'DL3007'],
    ['FROM node:24-alpine\nCMD ["node"]', 'DL3002'],
    ['FROM node:24-alpine\nUSER root\nCMD ["node"]', 'DL3002'],
    ['FROM node:24-alpine\nWORKDIR /app\nADD . .\nUSER node', 'DL3020'],
    ['FROM node:24-alpine\nRUN sudo apk add --no-cache tini=0.19.0-r3\nUSER node', 'DL3004'],
    ['FROM node:24-alpine\nRUN apk add tini\nUSER node', 'DL3018'],
    ['FROM node:24-alpine\nRUN apk add tini=0.19.0-r3\nUSER node', 'DL3019'],
    ['FROM node:24-alpine\nUSER node\nCMD ["node", "a.js"]\nCMD ["node", "b.js"]', 'DL4003'],
    ['FROM node:24-alpine\nUSER node\nCMD npm start', 'DL3025'],
    ['FROM node:24-alpine\nCOPY . app/\nUSER node', 'DL3045'],
    ['FROM node:24-alpine\nWORKDIR app\nUSER node', 'DL3000'],
    ['FROM node:24-alpine\nRUN cd /app && npm ci\nUSER node', 'DL3003'],
    ['FROM node:24-alpine\nRUN wget -qO- https://example.invalid/x | sh\nUSER node', 'DL4006'],
    ['FROM node:24-alpine\nWORKDIR /app\nRUN npm install\nUSER node', 'DL3016'],
    ['FROM node:24-alpine\nWORKDIR /app\nCOPY --from=biuld /app/dist dist\nUSER node', 'DL3022'],
    ['FROM debian:13\nRUN apt-get update && apt-get install -y curl\nUSER 1000', 'DL3008'],
  ])('flags a known-bad Dockerfile (%#: %s)', (text, rule) => {
    expect(lintDockerfile(text).map((f) => f.rule)).toContain(rule);
  });
});

describe('what the images promise beyond hadolint', () => {
  const nodeBases = dockerfiles.flatMap((f) =>
    parseDockerfile(read(f))
      .filter((i) => i.keyword === 'FROM' && i.args.startsWith('node:'))
      .map((i) => i.args.split(/\s+/)[0]),
  );

  it('builds every Node stage on one pinned Node LTS Alpine image', () => {
    expect(nodeBases.length).toBeGreaterThanOrEqual(3);
    expect(new Set(nodeBases).size).toBe(1);
    // An even major is an LTS line; a full x.y.z version is a pinned release.
    expect(nodeBases[0]).toMatch(/^node:(2[4-9]|[3-9]\d)\.\d+\.\d+-alpine/);
    expect(Number(/^node:(\d+)/.exec(nodeBases[0])![1]) % 2).toBe(0);
  });

  it.each(['Dockerfile.backend', 'Dockerfile.frontend'])('%s is multi-stage, with a health check and one port', (file) => {
    const all = stages(parseDockerfile(read(file)));
    expect(all.length).toBeGreaterThanOrEqual(2);
    const final = all.at(-1)!.instructions;
    expect(final.filter((i) => i.keyword === 'HEALTHCHECK')).toHaveLength(1);
    expect(final.filter((i) => i.keyword === 'EXPOSE')).toHaveLength(1);
  });

  it('starts the backend with node as PID 1, never through npm', () => {
    const final = stages(parseDockerfile(read('Dockerfile.backend'))).at(-1)!.instructions;
    const cmd = execForm(final.find((i) => i.keyword === 'CMD')!.args)!;
    expect(cmd[0]).toBe('node');
    expect(final.some((i) => i.keyword === 'ENV' && /NODE_ENV=production/.test(i.args))).toBe(true);
    const runs = parseDockerfile(read('Dockerfile.backend')).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    // Pruned to production dependencies after the build (ci or prune, never the deprecated flag).
    const build = runs.findIndex((r) => /npm run build/.test(r));
    expect(runs.findIndex((r, i) => i > build && /npm (ci|prune) --omit=dev/.test(r))).toBeGreaterThan(build);
    expect(runs.some((r) => /--only=production/.test(r))).toBe(false);
  });

  it("warms the backend's compile cache under the same Node.js flags as its CMD", () => {
    // V8 refuses code cached under other V8 flags: a warm-up without CMD's flags would ship a
    // cache no container uses (the image replay checks the cache's use when IMAGE_NODE is set).
    const cmd = backendCmd();
    const warm = parseDockerfile(read('Dockerfile.backend')).find((i) => i.keyword === 'RUN' && /warm-compile-cache\.js/.test(i.args))!;
    expect(flagsOf(cmd)).toContain('--no-allocation-site-pretenuring');
    expect(flagsOf(warm.args.trim().split(/\s+/))).toEqual(flagsOf(cmd));
  });

  it("runs `npm run start:prod` with the image's Node.js and V8 flags", () => {
    // Outside a container the backend should collect garbage as it does inside one: without those
    // flags V8 sizes its heap from the host and pretenures (docs/PERFORMANCE.md, *Read these numbers*).
    const cmd = backendCmd();
    const env = parseDockerfile(read('Dockerfile.backend')).filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(env)![1];
    const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start:prod'];
    const argv = script.slice(script.indexOf('node ')).split(/\s+/);
    expect(flagsOf(argv).sort()).toEqual([...flagsOf(cmd), ...nodeOptions.split(/\s+/)].sort());
    expect(argv.at(-1)).toBe(cmd.at(-1));
  });

  // Every Dockerfile built from the repository root: the root ones and those compose names
  // (monitoring/mtail is built from its own folder and copies nothing).
  const composed = [...readFileSync(join(ROOT, 'docker-compose.prod.yml'), 'utf8').matchAll(/dockerfile:\s*(\S+)/g)].map((m) => m[1]);
  const built = [...new Set([...dockerfiles.filter((f) => !f.includes('/')), ...composed])];

  it.each(built)('%s copies only context files that exist and that .dockerignore lets through', (file) => {
    const ignored = dockerignore(ROOT);
    const copies = parseDockerfile(read(file)).filter((i) => i.keyword === 'COPY' && !flag(i, 'from'));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = (execForm(copy.args) ?? copy.args.split(/\s+/)).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(ROOT, source)), `${file}:${copy.line} ${source}`).toBe(true);
        expect(ignored(source), `${file}:${copy.line} ${source} is excluded by .dockerignore`).toBe(false);
      }
    }
  });

  it('keeps secrets and build output out of the build context', () => {
    const ignored = dockerignore(ROOT);
    for (const path of ['.env', '.git/config', 'node_modules/x', 'apps/backend/node_modules/x', 'apps/backend/dist/main.js', 'apps/frontend/out/index.html', 'apps/frontend/.next/cache']) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored('.env.example')).toBe(false);
    expect(ignored('apps/backend/src/main.ts')).toBe(false);
  });
});
