import { Agent, request } from 'node:http';
import { Agent as TlsAgent, request as tlsRequest } from 'node:https';

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
  /** HTTPS through the edge: the test CA and the name its certificate carries. */
  tls?: { ca: Buffer; servername: string };
  /** Source addresses (127.0.0.x), one per worker in turn: the edge rate-limits per address. */
  localAddresses?: string[];
}

/**
 * Steady, bounded GET traffic on keep-alive connections while a drill breaks something, with
 * every response recorded, so a test can count exactly what a client would have seen.
 */
export function loadLoop(options: LoadOptions): LoadLoop {
  // One kept-alive connection per worker, each from its own source address when given.
  const agents = Array.from({ length: options.workers }, (_, i) => {
    const localAddress = options.localAddresses?.[i % options.localAddresses.length];
    return options.tls
      ? new TlsAgent({ keepAlive: true, maxSockets: 1, localAddress, ca: options.tls.ca, servername: options.tls.servername })
      : new Agent({ keepAlive: true, maxSockets: 1, localAddress });
  });
  const send = options.tls ? tlsRequest : request;
  const headers = options.tls ? { host: options.tls.servername } : undefined;
  const samples: Sample[] = [];
  const started = Date.now();
  let running = true;
  let n = 0;
  const max = options.maxRequests ?? 50_000;

  const one = (path: string, agent: Agent) =>
    new Promise<Sample>((resolve) => {
      const at = Date.now() - started;
      const req = send(`${options.url}${path}`, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ at, ms: Date.now() - started - at, status: res.statusCode ?? 0, path }));
        res.on('error', (err) => resolve({ at, ms: Date.now() - started - at, status: 0, path, error: err.message }));
      });
      req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
      req.on('error', (err) => resolve({ at, ms: Date.now() - started - at, status: 0, path, error: err.message }));
      req.end();
    });

  const worker = async (agent: Agent) => {
    while (running && n < max) {
      samples.push(await one(options.path(n++), agent));
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const done = Promise.all(agents.map(worker));
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
      agents.forEach((a) => a.destroy());
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
