import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The accept queue of the TCP socket listening on `port` (the first, if several), as the kernel
 * applied it: for a listening socket, ss reports the queue's size as Send-Q.
 */
export function listenQueueSize(port: number | string): number {
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  const [state, , sendQ] = line.split(/\s+/);
  if (state !== 'LISTEN') throw new Error(`nothing listens on port ${port}: ${JSON.stringify(line)}`);
  return Number(sendQ);
}

/**
 * The queue the seed's burst of 1000 new connections needs, or the kernel's cap
 * (net.core.somaxconn) when that is lower: no listen backlog can exceed it.
 */
export function burstQueueSize(): number {
  return Math.min(1000, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')));
}
