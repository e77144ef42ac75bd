// Replays a Dockerfile outside Docker: every stage gets its own directory as a root filesystem,
// COPY honours .dockerignore and --from, RUN runs for real (on this machine's Node) in the stage's
// WORKDIR. What comes out is the final stage's file tree and its runtime settings, so a missing
// build, prune or copy step in the Dockerfile shows up as an image that does not start.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { Instruction, execForm, flag, keyValues, parseDockerfile, stages } from './dockerfile';

export interface ReplayedImage {
  /** Root directory of each stage, by name. */
  stageRoots: Record<string, string>;
  /** Root directory of the final stage: the image's file system (without its base image). */
  root: string;
  env: Record<string, string>;
  /** WORKDIR inside the image (absolute). */
  workdir: string;
  user?: string;
  cmd?: string[];
  entrypoint?: string[];
  healthcheck?: string[];
  expose: number[];
}

export interface ReplayOptions {
  context: string;
  dockerfile: string;
  /** Where the stage roots are created. */
  outDir: string;
  buildArgs?: Record<string, string>;
  /** Extra environment for RUN steps (e.g. npm offline settings). */
  runEnv?: Record<string, string>;
  runTimeoutMs?: number;
}

/**
 * Where replays write their stage trees: memory (/dev/shm) when the machine has it, since an image
 * replay writes a few hundred MB of node_modules that are deleted a minute later.
 */
export function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export function replayDockerfile(options: ReplayOptions): ReplayedImage {
  const all = stages(parseDockerfile(readFileSync(join(options.context, options.dockerfile), 'utf8')));
  const ignored = dockerignore(options.context);
  const stageRoots: Record<string, string> = {};
  let image: ReplayedImage | undefined;

  for (const stage of all) {
    const root = join(options.outDir, `stage-${stage.index}-${stage.name}`);
    mkdirSync(root, { recursive: true });
    stageRoots[stage.name] = root;
    const state: ReplayedImage = { stageRoots, root, env: {}, workdir: '/', expose: [] };
    const args: Record<string, string> = {};
    const fromStage = all.find((s) => s.name === stage.image && s.index < stage.index);
    if (fromStage) {
      // FROM an earlier stage: start from a copy of its tree.
      cpSync(stageRoots[fromStage.name], root, { recursive: true, verbatimSymlinks: true });
    }
    for (const ins of stage.instructions) {
      const where = `${options.dockerfile}:${ins.line} ${ins.keyword}`;
      switch (ins.keyword) {
        case 'ARG':
          for (const [k, v] of keyValues(ins.args, { ...args, ...state.env })) args[k] = options.buildArgs?.[k] ?? v ?? '';
          break;
        case 'ENV':
          for (const [k, v] of keyValues(ins.args, { ...args, ...state.env })) state.env[k] = v ?? '';
          break;
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, ins.args);
          mkdirSync(join(root, state.workdir), { recursive: true });
          break;
        case 'USER':
          state.user = ins.args;
          break;
        case 'EXPOSE':
          state.expose.push(...ins.args.split(/\s+/).map((p) => Number.parseInt(p, 10)));
          break;
        case 'CMD':
          state.cmd = execForm(ins.args) ?? ['/bin/sh', '-c', ins.args];
          break;
        case 'ENTRYPOINT':
          state.entrypoint = execForm(ins.args) ?? ['/bin/sh', '-c', ins.args];
          break;
        case 'HEALTHCHECK': {
          const rest = ins.args.replace(/^CMD\s+/, '');
          state.healthcheck = execForm(rest) ?? ['/bin/sh', '-c', rest];
          break;
        }
        case 'COPY':
          copy(ins, { root, workdir: state.workdir, context: options.context, ignored, stageRoots, where });
          break;
        case 'RUN':
          if (!stage.image.startsWith('node:')) throw new Error(`${where}: cannot replay RUN on ${stage.image} outside Docker`);
          run(ins.args, {
            cwd: join(root, state.workdir),
            env: { ...withinRoot({ ...state.env, ...args }, root, state.workdir), ...options.runEnv },
            uid: uidOf(state.user),
            timeoutMs: options.runTimeoutMs ?? 180_000,
            where,
          });
          break;
        case 'ADD':
          throw new Error(`${where}: ADD is not replayed (the lint forbids it)`);
        default:
          // LABEL, STOPSIGNAL, SHELL, ONBUILD: metadata that doesn't change the file tree.
          break;
      }
    }
    image = state;
  }
  if (!image) throw new Error(`${options.dockerfile} has no FROM`);
  return image;
}

interface CopyContext {
  root: string;
  workdir: string;
  context: string;
  ignored: (rel: string) => boolean;
  stageRoots: Record<string, string>;
  where: string;
}

function copy(ins: Instruction, c: CopyContext): void {
  const parts = execForm(ins.args) ?? ins.args.split(/\s+/);
  const dest = parts[parts.length - 1];
  const from = flag(ins, 'from');
  const sourceRoot = from === undefined ? c.context : c.stageRoots[from];
  if (!sourceRoot) throw new Error(`${c.where}: unknown stage ${from}`);
  const sources = parts.slice(0, -1).flatMap((src) => expand(sourceRoot, src, c.where));
  const target = join(c.root, posix.resolve(c.workdir, dest));
  const intoDir = dest.endsWith('/') || sources.length > 1;
  const filter = (path: string) => from !== undefined || !c.ignored(relative(c.context, path));

  for (const src of sources) {
    if (from === undefined && c.ignored(relative(c.context, src))) continue;
    if (statSync(src).isDirectory()) {
      // A directory's contents land in the destination, never the directory itself.
      cpSync(src, target, { recursive: true, verbatimSymlinks: true, filter });
    } else {
      const file = intoDir ? join(target, basename(src)) : target;
      mkdirSync(dirname(file), { recursive: true });
      cpSync(src, file, { verbatimSymlinks: true });
    }
  }
}

/** Resolves one COPY source, with `*` allowed in its last segment. */
function expand(sourceRoot: string, src: string, where: string): string[] {
  const full = join(sourceRoot, src);
  if (!basename(src).includes('*')) {
    if (!existsSync(full)) throw new Error(`${where}: ${src} not found`);
    return [full];
  }
  const re = new RegExp(`^${basename(src).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const matches = readdirSync(dirname(full))
    .filter((name) => re.test(name))
    .map((name) => join(dirname(full), name));
  if (!matches.length) throw new Error(`${where}: nothing matches ${src}`);
  return matches;
}

/**
 * A variable naming a path under the WORKDIR (NODE_COMPILE_CACHE=/app/…) points into the replay's
 * root during RUN, as it would in the image, instead of at this machine's own /app.
 */
function withinRoot(env: Record<string, string>, root: string, workdir: string): Record<string, string> {
  if (workdir === '/') return env;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.startsWith(`${workdir}/`) ? join(root, v) : v]));
}

/** The uid a USER runs as: a number, root, or `node` (1000 in Node's images, which have no other user). */
function uidOf(user: string | undefined): number | undefined {
  const name = user?.split(':')[0];
  if (name === undefined || name === 'root') return undefined;
  if (name === 'node') return 1000;
  if (/^\d+$/.test(name)) return Number(name) === 0 ? undefined : Number(name);
  throw new Error(`USER ${user}: only root, node or a uid can be replayed`);
}

function run(command: string, o: { cwd: string; env: Record<string, string>; uid?: number; timeoutMs: number; where: string }): void {
  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd: o.cwd,
    ...(o.uid === undefined ? {} : { uid: o.uid, gid: o.uid }),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...o.env },
    encoding: 'utf8',
    timeout: o.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-30).join('\n');
    throw new Error(`${o.where} \`${command}\` failed (${result.status ?? result.signal}):\n${tail}`);
  }
}

/** .dockerignore as a predicate on context-relative paths (Docker's rules: last match wins). */
export function dockerignore(context: string): (rel: string) => boolean {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const glob = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      return { negate, re: globToRegExp(glob) };
    });
  return (rel: string) => {
    if (!rel || rel.startsWith('..')) return false;
    const segments = rel.split(/[\\/]/);
    const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const p of patterns) {
      if (prefixes.some((prefix) => p.re.test(prefix))) excluded = !p.negate;
    }
    return excluded;
  };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
