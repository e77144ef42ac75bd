import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';
import { repoFiles } from '../helpers/repo-files';

function firstLine(file: string): string {
  const fd = openSync(join(ROOT, file), 'r');
  try {
    const head = Buffer.alloc(200);
    return head.subarray(0, readSync(fd, head)).toString('utf8').split('\n')[0];
  } finally {
    closeSync(fd);
  }
}

/**
 * Every shell script in the repository, by its name or, when that doesn't say (.ci/run), by its
 * first line: a #! for sh or bash, or shellcheck's own `shell=` directive, which a file that is
 * only ever sourced (scripts/restore-redis.sh) carries instead.
 */
const scripts = repoFiles().filter(
  (f) => /\.(ba)?sh$/.test(f) || /^#!\S*\/(env\s+)?(ba|da)?sh\b|^# shellcheck shell=(ba|da)?sh\b/.test(firstLine(f)),
);

describe('shell scripts (shellcheck)', () => {
  it('finds the repository shell scripts', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        '.ci/run',
        'backup/docker-entrypoint.sh',
        'monitoring/elk/kibana-setup.sh',
        'monitoring/elk/setup.sh',
        'scripts/backup.sh',
        'scripts/full_backup.sh',
        'scripts/restore-redis.sh',
        'scripts/restore.sh',
        'scripts/setup-ssl.sh',
      ]),
    );
  });

  // -x -P SCRIPTDIR: the scripts source their neighbours (restore.sh sources restore-redis.sh),
  // which shellcheck then reads as the shell would.
  it.each(scripts)('%s passes shellcheck', (file) => {
    const result = spawnSync('shellcheck', ['-x', '-P', 'SCRIPTDIR', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('shellcheck reports a broken script (so the check above can fail)', () => {
    const result = spawnSync('shellcheck', ['-'], { input: '#!/bin/bash\nrm -rf $1/*\n', encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('SC2086');
  });
});
