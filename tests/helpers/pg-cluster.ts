import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface PgCluster {
  port: number;
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** The data directory. Its parent, owned by `postgres`, holds the socket and the server log. */
  data: string;
  start(): void;
  /** `pg_ctl stop -m fast`: connections are cut, as when the server goes down; `immediate`: it dies. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Runs a command as `postgres`, with the cluster's environment; returns its output. */
  asPostgres(command: string[], timeoutMs?: number): string;
  /**
   * SIGSTOP (or SIGCONT) to this cluster's postmaster and its backends: the server hangs with its
   * sockets open, as a frozen VM or a network partition looks to a client.
   */
  freeze(frozen: boolean): void;
  destroy(): void;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return join(base, version, 'bin');
}

/** True when this machine can run a private cluster (root, a `postgres` user, initdb). */
export function canRunPgCluster(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/lib/postgresql') && spawnSync('id', ['-u', 'postgres']).status === 0;
}

export interface PgClusterOptions {
  /** Lines appended to postgresql.conf after initdb (a backup of the data directory keeps them). */
  config?: string[];
  /** Environment of the server and of `asPostgres` (archive_command's pgBackRest reads its settings there). */
  env?: (cluster: { port: number; dir: string; data: string }) => Record<string, string>;
}

/**
 * A throw-away PostgreSQL cluster on a free loopback port, owned by the `postgres` user
 * (PostgreSQL refuses to run as root). Drills stop and start it; the machine's own server is
 * never touched.
 */
export async function pgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const bin = binDir();
  const env = Object.entries(options.env?.({ port, dir, data }) ?? {}).map(([k, v]) => `${k}=${v}`);
  const asPostgres = (command: string[], timeout = 60_000) => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', 'env', ...env, ...command], { encoding: 'utf8', cwd: dir, timeout });
    if (r.status !== 0) throw new Error(`${command.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  if (options.config) appendFileSync(join(data, 'postgresql.conf'), `${options.config.join('\n')}\n`);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  const cluster: PgCluster = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    data,
    asPostgres,
    start: () => asPostgres([join(bin, 'pg_ctl'), '-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', mode, '-w', 'stop']),
    freeze: (frozen) => {
      // Only this cluster's processes: the postmaster's pid from its own pid file, then its children.
      const postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
      const children = spawnSync('ps', ['-o', 'pid=', '--ppid', postmaster], { encoding: 'utf8' }).stdout.split('\n').map((p) => p.trim()).filter(Boolean);
      for (const pid of [postmaster, ...children]) {
        try {
          process.kill(Number(pid), frozen ? 'SIGSTOP' : 'SIGCONT');
        } catch {
          // exited meanwhile
        }
      }
    },
    destroy: () => {
      try {
        cluster.freeze(false);
      } catch {
        // not running
      }
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
