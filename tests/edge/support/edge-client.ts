import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { TEST_SERVER_NAME } from './edge-nginx';

export interface EdgeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header line as received, to catch duplicates that node would merge. */
  raw: [string, string][];
  body: Buffer;
  /** The body decoded when it came gzipped. */
  text: string;
}

export interface EdgeRequest {
  port: number;
  path: string;
  tls?: { ca: Buffer };
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Source address on the loopback (127.0.0.x): nginx limits per client address. */
  localAddress?: string;
}

/** One request on its own connection, as a browser on another machine would make it. */
export function edgeRequest(req: EdgeRequest): Promise<EdgeResponse> {
  const send = req.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(
      {
        host: '127.0.0.1',
        port: req.port,
        path: req.path,
        method: req.method ?? 'GET',
        headers: { host: TEST_SERVER_NAME, ...req.headers },
        agent: false,
        localAddress: req.localAddress,
        ...(req.tls ? { ca: req.tls.ca, servername: TEST_SERVER_NAME } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
          const raw: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) raw.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body, text });
        });
        res.on('error', reject);
      },
    );
    r.setTimeout(15_000, () => r.destroy(new Error(`timeout on ${req.path}`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** All values of one header as sent (nginx and the app must not both send it). */
export function headerValues(res: EdgeResponse, name: string): string[] {
  return res.raw.filter(([k]) => k === name.toLowerCase()).map(([, v]) => v);
}
