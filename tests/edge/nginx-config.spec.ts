import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { loadRenderer } from './support/edge-nginx';

const { PRODUCTION, renderFromTemplate } = await loadRenderer();
const { renderNginxConf } = (await import(join(ROOT, 'nginx', 'render.mjs'))) as {
  renderNginxConf(template: string, values: Record<string, string | readonly string[]>): string;
};

describe('nginx.conf and its template', () => {
  it('the committed nginx.conf is the template rendered with the production values', () => {
    const check = spawnSync(process.execPath, ['nginx/render.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(readFileSync(join(ROOT, 'nginx.conf'), 'utf8')).toBe(renderFromTemplate(PRODUCTION));
  });

  it('targets the official image layout: backend service, Let\'s Encrypt live directory, html root', () => {
    const conf = readFileSync(join(ROOT, 'nginx.conf'), 'utf8');
    expect(conf).toContain('server backend:3001 max_fails=3 fail_timeout=10s;');
    expect(conf).toContain('ssl_certificate /etc/letsencrypt/live/ecosyste.com/fullchain.pem;');
    expect(conf).toContain('root /usr/share/nginx/html;');
    expect(conf).toMatch(/^\s+listen 443 ssl http2;$/m);
    expect(conf).toMatch(/^\s+listen 80 default_server backlog=4096;$/m);
    expect(conf).not.toMatch(/\{\{/);
  });

  it('writes a list placeholder once per item and fails on a missing or unused value', () => {
    expect(renderNginxConf('a;\n    listen {{L}} ssl;\nb;', { L: ['1', '2'] })).toBe('a;\n    listen 1 ssl;\n    listen 2 ssl;\nb;');
    expect(() => renderNginxConf('root {{ROOT}};', {})).toThrow('no value for {{ROOT}}');
    expect(() => renderNginxConf('root {{ROOT}};', { ROOT: '/x', EXTRA: 'y' })).toThrow('unused values EXTRA');
    expect(() => renderNginxConf('listen {{L}};', { L: [] })).toThrow('empty list');
  });

  it('renders other sites from the command line, refusing unknown keys', () => {
    const other = spawnSync(process.execPath, ['-e', `
      import('./nginx/render.mjs').then(({ renderFromTemplate, PRODUCTION }) =>
        process.stdout.write(renderFromTemplate({ ...PRODUCTION, HTTPS_LISTEN: ['443', '[::]:443'] })))`], { cwd: ROOT, encoding: 'utf8' });
    expect(other.stdout).toMatch(/listen 443 ssl http2;\n\s+listen \[::\]:443 ssl http2;/);
    const bad = spawnSync(process.execPath, ['nginx/render.mjs', 'DOMAIN=x'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown value DOMAIN/);
  });
});
