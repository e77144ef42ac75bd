import { Socket } from 'node:net';

/**
 * One fuzz request. `raw`, when given, is sent byte for byte (framing tricks); otherwise the
 * request is assembled from the other fields with a correct Content-Length unless the case sets
 * its own framing headers. Strings may hold `{{repeat:N:TEXT}}` to stand for huge values, and
 * `{{token}}` / `{{id}}` for the admin token and an existing business of the run.
 */
export interface FuzzCase {
  name: string;
  method?: string;
  target?: string;
  headers?: [string, string][];
  body?: string;
  /** Leave out the Host header (HTTP/1.1 requires it). */
  noHost?: boolean;
  raw?: string;
  /** The server may close without answering (malformed framing, CONNECT): not a failure. */
  mayDrop?: boolean;
  /** Node's HTTP layer answers this one itself, before the app, with an empty 4xx (no JSON). */
  bareError?: boolean;
}

export interface FuzzOutcome {
  /** 0 when the connection closed without a response. */
  status: number;
  contentType?: string;
  timedOut: boolean;
  ms: number;
}

export interface FuzzVars {
  token: string;
  id: string;
}

const PLACEHOLDER = /\{\{(?:repeat:(\d+):([\s\S]*?)|(token|id))\}\}/g;

export function expand(text: string, vars: FuzzVars): string {
  return text.replace(PLACEHOLDER, (_, times: string | undefined, chunk: string, name: 'token' | 'id' | undefined) =>
    name ? vars[name] : chunk.repeat(Number(times)),
  );
}

export function serialize(c: FuzzCase, host: string, vars: FuzzVars): Buffer {
  const fill = (text: string) => expand(text, vars);
  if (c.raw !== undefined) return Buffer.from(fill(c.raw), 'latin1');
  const body = c.body === undefined ? undefined : Buffer.from(fill(c.body), 'utf8');
  const headers = (c.headers ?? []).map(([k, v]) => [fill(k), fill(v)] as const);
  const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
  const lines = [`${c.method ?? 'GET'} ${fill(c.target ?? '/')} HTTP/1.1`];
  if (!c.noHost && !has('host')) lines.push(`Host: ${host}`);
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  if (!has('connection')) lines.push('Connection: close');
  if (body && !has('content-length') && !has('transfer-encoding')) lines.push(`Content-Length: ${body.length}`);
  // Header values are written as latin1 so that a case can carry any byte, as a hostile client could.
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

/** Sends one request on its own connection and reads until the server closes it. */
export function send(port: number, c: FuzzCase, vars: FuzzVars, timeoutMs = 10_000): Promise<FuzzOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseHead(Buffer.concat(chunks)), timedOut, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // A response to a keep-alive request (the case set its own Connection header) won't be
      // followed by a close: stop once a complete head of a final response is in.
      if (c.headers?.some(([k]) => k.toLowerCase() === 'connection') && /\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) {
        const { status } = parseHead(Buffer.concat(chunks));
        if (status >= 200) setTimeout(() => finish(false), 20);
      }
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.connect(port, '127.0.0.1', () => {
      // Large bodies may be refused mid-upload (413): a reset while writing is an answer, not an error.
      socket.write(serialize(c, `127.0.0.1:${port}`, vars), () => undefined);
    });
  });
}

/** Status and content type of the first final (non-1xx) response in the bytes received. */
function parseHead(bytes: Buffer): { status: number; contentType?: string } {
  const text = bytes.toString('latin1');
  const re = /HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const status = Number(m[1]);
    if (status < 200) continue;
    const contentType = /^content-type:\s*([^\r\n]*)/im.exec(m[2])?.[1];
    return { status, contentType };
  }
  return { status: 0 };
}
