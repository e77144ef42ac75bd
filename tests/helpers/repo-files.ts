import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './app-process';

/**
 * Every file of the working tree git would commit, relative to the root: tracked ones and new ones
 * not ignored, so a file added but not yet committed is checked too; deleted ones are left out.
 * The lint specs discover what they check here rather than from a list someone must keep up.
 */
export function repoFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
}
