// Renders nginx/nginx.conf.template into a loadable nginx.conf.
//
//   node nginx/render.mjs                      writes ./nginx.conf with the production values below
//   node nginx/render.mjs DOMAIN=example.org   the same with some values replaced (KEY=a,b for lists)
//   node nginx/render.mjs --check              exits 1 when ./nginx.conf differs from a fresh render
//
// The edge tests render the same template with loopback ports, so what they prove is what ships.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const TEMPLATE_PATH = join(here, 'nginx.conf.template');
export const OUTPUT_PATH = join(here, '..', 'nginx.conf');

/**
 * What the official nginx image (nginx:1.x-alpine) runs with in docker-compose.prod.yml: the
 * backend replicas behind the `backend` service name, Let's Encrypt's live directory mounted
 * read-only, the web export in the image's html directory.
 */
export const PRODUCTION = Object.freeze({
  USER: 'nginx',
  PID_FILE: '/var/run/nginx.pid',
  ERROR_LOG: '/var/log/nginx/error.log',
  ACCESS_LOG: '/var/log/nginx/access.log',
  // IPv4 only: Docker publishes the host's IPv6 ports to the container's IPv4, and binding [::]
  // fails in containers where IPv6 is disabled. On a bare host: HTTPS_LISTEN=443,[::]:443.
  HTTP_LISTEN: ['80'],
  HTTPS_LISTEN: ['443'],
  STATUS_LISTEN: ['8080'],
  STATUS_ALLOW: ['127.0.0.1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
  SERVER_NAMES: 'ecosyste.com www.ecosyste.com',
  CERT_DIR: '/etc/letsencrypt/live/ecosyste.com',
  DHPARAM: '/etc/letsencrypt/ssl-dhparams.pem',
  WEB_ROOT: '/usr/share/nginx/html',
  ACME_ROOT: '/var/www/certbot',
  BACKENDS: ['backend:3001'],
});

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

/**
 * Replaces every {{NAME}}. A line whose placeholder holds a list is written once per item. Every
 * placeholder must have a value and every value must be used, so a typo fails loudly.
 * @param {string} template
 * @param {Record<string, string | readonly string[]>} values
 * @returns {string}
 */
export function renderNginxConf(template, values) {
  const used = new Set();
  const lines = template.split('\n').flatMap((line) => {
    const names = [...line.matchAll(PLACEHOLDER)].map((m) => m[1]);
    if (names.length === 0) return [line];
    for (const name of names) {
      if (!(name in values)) throw new Error(`nginx template: no value for {{${name}}}`);
      used.add(name);
    }
    const lists = names.filter((n) => Array.isArray(values[n]));
    if (lists.length > 1) throw new Error(`nginx template: one list placeholder per line (${lists.join(', ')})`);
    const fill = (item) => line.replace(PLACEHOLDER, (_, n) => (Array.isArray(values[n]) ? item : String(values[n])));
    if (lists.length === 0) return [fill(undefined)];
    const items = values[lists[0]];
    if (items.length === 0) throw new Error(`nginx template: {{${lists[0]}}} is an empty list`);
    return items.map(fill);
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`nginx template: unused values ${unused.join(', ')}`);
  return lines.join('\n');
}

/** @param {Record<string, string | readonly string[]>} values */
export function renderFromTemplate(values) {
  return renderNginxConf(readFileSync(TEMPLATE_PATH, 'utf8'), values);
}

function main(args) {
  const check = args.includes('--check');
  const values = { ...PRODUCTION };
  for (const arg of args.filter((a) => a !== '--check')) {
    const eq = arg.indexOf('=');
    if (eq < 1) throw new Error(`expected KEY=value, got ${arg}`);
    const key = arg.slice(0, eq);
    if (!(key in PRODUCTION)) throw new Error(`unknown value ${key}; known: ${Object.keys(PRODUCTION).join(', ')}`);
    const value = arg.slice(eq + 1);
    values[key] = Array.isArray(PRODUCTION[key]) ? value.split(',') : value;
  }
  const rendered = renderFromTemplate(values);
  if (check) {
    if (readFileSync(OUTPUT_PATH, 'utf8') !== rendered) {
      process.stderr.write('nginx.conf is stale: run `node nginx/render.mjs`\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT_PATH, rendered);
  process.stdout.write(`wrote ${OUTPUT_PATH}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
