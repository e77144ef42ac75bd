import { Agent, request } from 'node:http';

export interface Sample {
  /** ms since the loop started, when the request was sent. */
  at: number;
  ms: number;
  /** 0 for a network error or a client-side timeout. */
  status: number;
  path: string;
  error?: string;
}

export interface LoadLoop {
  samples: Sample[];
  /** Stops sending and resolves once every request in flight has finished. */
  stop(): Promise<Sample[]>;
}

export interface LoadOptions {
  url: string;
  /** A path per request (n counts from 0 across all workers). */
  path: (n: number) => string;
  workers: number;
  /** Pause between one worker's requests, to keep the load bounded. */
  pauseMs?: number;
  timeoutMs?: number;
  /** Hard ceiling on requests, whatever happens to stop(). */
  maxRequests?: number;
}

/**
 * Steady, bounded GET traffic on keep-alive connections while a drill breaks something, with
 * every response recorded, so a test can count exactly what a client would have seen.
 */
export function loadLoop(options: LoadOptions): LoadLoop {
  const agent = new Agent({ keepAlive: true, maxSockets: options.workers });
  const samples: Sample[] = [];
  const started = Date.now();
  let running = true;
  let n = 0;
  const max = options.maxRequests ?? 50_000;

  const one = (path: string) =>
    new Promise<Sample>((resolve) => {
      const at = Date.now() - started;
      const req = request(`${options.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ at, ms: Date.now() - started - at, status: res.statusCode ?? 0, path }));
        res.on('error', (err) => resolve({ at, ms: Date.now() - started - at, status: 0, path, error: err.message }));
      });
      req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
      req.on('error', (err) => resolve({ at, ms: Date.now() - started - at, status: 0, path, error: err.message }));
      req.end();
    });

  const worker = async () => {
    while (running && n < max) {
      samples.push(await one(options.path(n++)));
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, worker));
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
      agent.destroy();
      return samples;
    },
  };
}

/** "200×812 503×3 error×0": a one-line tally for the drill's printout. */
export function tally(samples: Sample[]): { line: string; byStatus: Record<string, number> } {
  const byStatus: Record<string, number> = {};
  for (const s of samples) byStatus[s.status === 0 ? 'error' : String(s.status)] = (byStatus[s.status === 0 ? 'error' : String(s.status)] ?? 0) + 1;
  return { line: Object.entries(byStatus).map(([k, v]) => `${k}×${v}`).join(' '), byStatus };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
