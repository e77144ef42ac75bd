import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process';

// The build excludes the specs and SWC strips types without checking them: only this catches a
// test (or a helper) that no longer type-checks against the code it exercises.
describe('strict TypeScript', () => {
  it('the backend, its unit specs, and the integration and end-to-end specs type-check', () => {
    const result = spawnSync('npm', ['run', '--silent', 'typecheck'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
