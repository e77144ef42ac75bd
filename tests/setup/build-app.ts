import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// One build of the backend for every end-to-end test file (tsc is incremental: cheap when fresh).
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync('npm', ['run', 'build', '-w', 'apps/backend'], { cwd: root, stdio: 'inherit' });
}
