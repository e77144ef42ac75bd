// Guard for the npm scripts that need a Docker engine: one clear line instead of a cryptic failure.
import { spawnSync } from 'node:child_process';

const info = spawnSync('docker', ['info'], { stdio: 'ignore' });
if (info.error || info.status !== 0) {
  console.error('This command needs a running Docker engine (docker info failed); none is available here.');
  process.exit(1);
}
