import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETUP_SSL } from './support/edge-nginx';

function run(env: Record<string, string>, args: string[] = []) {
  const r = spawnSync('bash', [SETUP_SSL, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function x509(file: string, ...args: string[]): string {
  return spawnSync('openssl', ['x509', '-in', file, '-noout', ...args], { encoding: 'utf8' }).stdout;
}

describe('scripts/setup-ssl.sh', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ecosyste-ssl-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  describe('--self-signed', () => {
    const dir = () => join(tmp, 'self');
    const live = () => join(dir(), 'live', 'localhost');

    it("writes a certificate for the domains in Let's Encrypt's layout, with the ffdhe2048 group", () => {
      const r = run({ LETSENCRYPT_DIR: dir(), SSL_DOMAINS: 'localhost, ecosyste.test' }, ['--self-signed']);
      expect(r.status, r.out).toBe(0);
      const cert = join(live(), 'fullchain.pem');
      expect(x509(cert, '-ext', 'subjectAltName')).toMatch(/DNS:localhost, DNS:ecosyste\.test, IP Address:127\.0\.0\.1/);
      expect(x509(cert, '-checkend', String(300 * 86400))).toMatch(/will not expire/);
      expect(statSync(join(live(), 'privkey.pem')).mode & 0o077).toBe(0);
      // The key really belongs to the certificate.
      const pub = spawnSync('openssl', ['pkey', '-in', join(live(), 'privkey.pem'), '-pubout'], { encoding: 'utf8' }).stdout;
      expect(pub).toBe(spawnSync('openssl', ['x509', '-in', cert, '-noout', '-pubkey'], { encoding: 'utf8' }).stdout);
      const dh = spawnSync('openssl', ['pkeyparam', '-in', join(dir(), 'ssl-dhparams.pem'), '-text'], { encoding: 'utf8' }).stdout;
      expect(dh).toMatch(/GROUP: ffdhe2048/);
    });

    it('keeps a valid certificate on a re-run, replaces it with --force or for new domains', () => {
      const cert = join(live(), 'fullchain.pem');
      const before = readFileSync(cert, 'utf8');
      const again = run({ LETSENCRYPT_DIR: dir(), SSL_DOMAINS: 'localhost ecosyste.test' }, ['--self-signed']);
      expect(again.status).toBe(0);
      expect(again.out).toMatch(/kept/);
      expect(readFileSync(cert, 'utf8')).toBe(before);

      expect(run({ LETSENCRYPT_DIR: dir(), SSL_DOMAINS: 'localhost ecosyste.test' }, ['--self-signed', '--force']).status).toBe(0);
      expect(readFileSync(cert, 'utf8')).not.toBe(before);

      expect(run({ LETSENCRYPT_DIR: dir(), SSL_DOMAINS: 'localhost other.test' }, ['--self-signed']).status).toBe(0);
      expect(x509(cert, '-ext', 'subjectAltName')).toMatch(/DNS:other\.test/);
    });

    it('refuses a bad domain or argument with one line', () => {
      const r = run({ LETSENCRYPT_DIR: dir(), SSL_DOMAINS: 'bad_domain;rm' }, ['--self-signed']);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/^setup-ssl: not a host name: bad_domain;rm$/m);
      expect(run({}, ['--nope']).out).toMatch(/unknown argument: --nope/);
    });
  });

  describe("Let's Encrypt mode (certbot stubbed: no CA is reachable from a test)", () => {
    let bin: string;
    let env: Record<string, string>;
    const le = () => join(tmp, 'le');
    const live = () => join(le(), 'live', 'ecosyste.test');
    const calls = () => readFileSync(join(tmp, 'certbot.log'), 'utf8').trim().split('\n');
    const reloads = () => (existsSync(join(tmp, 'reloads')) ? readFileSync(join(tmp, 'reloads'), 'utf8').trim().split('\n').length : 0);

    beforeAll(() => {
      bin = join(tmp, 'bin');
      mkdirSync(bin);
      // Behaves like certbot where it matters: refuses a live/ directory it did not create, and
      // writes its certificate and renewal config there on success.
      writeFileSync(
        join(bin, 'certbot'),
        `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "${join(tmp, 'certbot.log')}"
[[ -n \${CERTBOT_FAIL:-} ]] && { echo "Challenge failed" >&2; exit 1; }
while (($#)); do case "$1" in --config-dir) dir=$2; shift ;; --cert-name) name=$2; shift ;; esac; shift; done
if [[ -f $dir/renewal/$name.conf ]]; then echo "Certificate not yet due for renewal"; exit 0; fi
[[ -e $dir/live/$name ]] && { echo "live directory exists for $name" >&2; exit 1; }
mkdir -p "$dir/live/$name" "$dir/renewal"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 -subj "/CN=$name" \\
  -keyout "$dir/live/$name/privkey.pem" -out "$dir/live/$name/fullchain.pem" 2>/dev/null
echo "cert = $dir/live/$name/fullchain.pem" > "$dir/renewal/$name.conf"
`,
      );
      chmodSync(join(bin, 'certbot'), 0o755);
      env = {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        LETSENCRYPT_DIR: le(),
        ACME_WEBROOT: join(tmp, 'webroot'),
        SSL_DOMAINS: 'ecosyste.test www.ecosyste.test',
        SSL_EMAIL: 'ops@ecosyste.test',
        NGINX_RELOAD_CMD: `echo reload >> ${join(tmp, 'reloads')}`,
        RENEW_SCHEDULER: 'cron',
        CRON_FILE: join(tmp, 'ecosyste-certbot'),
      };
    });

    it('requires SSL_EMAIL', () => {
      const r = run({ ...env, SSL_EMAIL: '' });
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/SSL_EMAIL is required/);
    });

    it('puts a placeholder back when certbot fails, so nginx can still restart', () => {
      const r = run({ ...env, CERTBOT_FAIL: '1' });
      expect(r.status).not.toBe(0);
      expect(existsSync(join(live(), '.self-signed'))).toBe(true);
      expect(existsSync(join(live(), 'fullchain.pem'))).toBe(true);
      expect(existsSync(join(le(), 'renewal-hooks'))).toBe(false);
    });

    it('gets the certificate by webroot, installs the reload hook and schedules renewal', () => {
      const r = run(env);
      expect(r.status, r.out).toBe(0);
      const last = calls().at(-1)!;
      expect(last).toMatch(/^certonly --webroot -w \S+\/webroot --cert-name ecosyste\.test /);
      expect(last).toContain(`--config-dir ${le()}`);
      expect(last).toContain('--non-interactive --agree-tos -m ops@ecosyste.test --keep-until-expiring --expand');
      expect(last).toMatch(/-d ecosyste\.test -d www\.ecosyste\.test$/);
      expect(existsSync(join(tmp, 'webroot', '.well-known', 'acme-challenge'))).toBe(true);
      // certbot's certificate replaced the placeholder.
      expect(existsSync(join(live(), '.self-signed'))).toBe(false);
      expect(x509(join(live(), 'fullchain.pem'), '-subject')).toMatch(/CN ?= ?ecosyste\.test/);

      const hook = join(le(), 'renewal-hooks', 'deploy', 'ecosyste-reload-nginx.sh');
      expect(statSync(hook).mode & 0o111).not.toBe(0);
      const before = reloads();
      expect(spawnSync(hook, { encoding: 'utf8' }).status).toBe(0);
      expect(reloads()).toBe(before + 1);

      expect(readFileSync(env.CRON_FILE, 'utf8')).toMatch(new RegExp(`^\\d{1,2} 3,15 \\* \\* \\* root certbot renew --quiet --config-dir ${le()}$`, 'm'));
    });

    it('is idempotent: a re-run rewrites nothing and leaves the certificate alone', () => {
      const cert = readFileSync(join(live(), 'fullchain.pem'), 'utf8');
      const cron = readFileSync(env.CRON_FILE, 'utf8');
      const r = run(env);
      expect(r.status, r.out).toBe(0);
      expect(r.out).not.toMatch(/wrote|self-signed/);
      expect(readFileSync(join(live(), 'fullchain.pem'), 'utf8')).toBe(cert);
      expect(readFileSync(env.CRON_FILE, 'utf8')).toBe(cron);
      expect(calls().at(-1)).toMatch(/--keep-until-expiring/);
    });
  });
});
