import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/app-process';
import { freePort } from '../../helpers/free-port';
import { listening, ReadyProcess, spawnReady } from '../../helpers/ready-process';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const SETUP_SSL = join(ROOT, 'scripts', 'setup-ssl.sh');
export const TEST_SERVER_NAME = 'localhost';

interface RenderModule {
  PRODUCTION: Record<string, string | readonly string[]>;
  renderFromTemplate(values: Record<string, string | readonly string[]>): string;
}

export async function loadRenderer(): Promise<RenderModule> {
  return (await import(join(ROOT, 'nginx', 'render.mjs'))) as RenderModule;
}

export interface EdgeOptions {
  /** host:port of each backend replica. */
  backends: string[];
  /** The static web root (a copy of apps/frontend/out, usually). */
  webRoot: string;
}

export interface Edge {
  dir: string;
  httpPort: number;
  httpsPort: number;
  statusPort: number;
  /** The test CA: the self-signed certificate scripts/setup-ssl.sh made. */
  ca: Buffer;
  acmeRoot: string;
  letsencryptDir: string;
  config: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * nginx from the project's template (nginx/nginx.conf.template) with only the site values swapped
 * for loopback ports, a certificate made by `scripts/setup-ssl.sh --self-signed`, a temp prefix
 * and the given backends. Runs in the foreground as a child of the test; never touches a system nginx.
 */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosyste-edge-'));
  const letsencryptDir = join(dir, 'letsencrypt');
  const acmeRoot = join(dir, 'acme');
  mkdirSync(acmeRoot);
  const ssl = spawnSync('bash', [SETUP_SSL, '--self-signed'], {
    env: { PATH: process.env.PATH ?? '', LETSENCRYPT_DIR: letsencryptDir, SSL_DOMAINS: TEST_SERVER_NAME },
    encoding: 'utf8',
  });
  if (ssl.status !== 0) throw new Error(`setup-ssl.sh --self-signed failed:\n${ssl.stdout}${ssl.stderr}`);

  const [httpPort, httpsPort, statusPort] = [await freePort(), await freePort(), await freePort()];
  const { PRODUCTION, renderFromTemplate } = await loadRenderer();
  const values = {
    ...PRODUCTION,
    // Only a root master may switch users; the test's own user otherwise (nginx then ignores it).
    USER: process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'nobody'),
    PID_FILE: join(dir, 'nginx.pid'),
    ERROR_LOG: join(dir, 'error.log'),
    ACCESS_LOG: join(dir, 'access.log'),
    HTTP_LISTEN: [`127.0.0.1:${httpPort}`],
    HTTPS_LISTEN: [`127.0.0.1:${httpsPort}`],
    STATUS_LISTEN: [`127.0.0.1:${statusPort}`],
    STATUS_ALLOW: ['127.0.0.1'],
    SERVER_NAMES: TEST_SERVER_NAME,
    CERT_DIR: join(letsencryptDir, 'live', TEST_SERVER_NAME),
    DHPARAM: join(letsencryptDir, 'ssl-dhparams.pem'),
    WEB_ROOT: options.webRoot,
    ACME_ROOT: acmeRoot,
    BACKENDS: options.backends,
  };
  const config = renderFromTemplate(values);
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, config);
  // The production config includes mime.types relative to its own directory, as in /etc/nginx.
  copyFileSync('/etc/nginx/mime.types', join(dir, 'mime.types'));

  const args = ['-p', `${dir}/`, '-c', confPath, '-e', join(dir, 'error.log')];
  const check = spawnSync(NGINX_BIN, [...args, '-t', '-q'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the rendered config:\n${check.stderr}`);

  const ca = readFileSync(join(values.CERT_DIR, 'fullchain.pem'));
  const errorLog = (output = '') => {
    try {
      return output + readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return output;
    }
  };
  let nginx: ReadyProcess;
  try {
    nginx = await spawnReady(NGINX_BIN, [...args, '-g', 'daemon off;'], {
      name: 'nginx',
      ready: async () => (await listening(httpsPort)) && (await listening(httpPort)),
      timeoutMs: 10_000,
      intervalMs: 50,
      // SIGQUIT lets nginx finish its requests; SIGTERM would cut them.
      stopSignal: 'SIGQUIT',
    });
  } catch (err) {
    const message = `${(err as Error).message}\n${errorLog()}`;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(message);
  }

  return {
    dir,
    httpPort,
    httpsPort,
    statusPort,
    ca,
    acmeRoot,
    letsencryptDir,
    config,
    errorLog: () => errorLog(nginx.output()),
    stop: async () => {
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
