import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// One build of the backend (and of the frontend export when its sources changed) for every
// end-to-end test file: the same step `npm start` takes before it runs.
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, ['scripts/start.mjs', '--build-only'], { cwd: root, stdio: 'inherit' });
}
