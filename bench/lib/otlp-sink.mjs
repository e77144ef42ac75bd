// A stand-in OTLP/HTTP collector inside the bench process: it accepts every export with 200 and
// counts what arrived, so tracing costs the app its real export work without any network hop.
import { createServer } from 'node:http';
import { freePort } from './app.mjs';

export async function startOtlpSink() {
  const port = await freePort();
  const stats = { requests: 0, bytes: 0, paths: new Set() };
  const server = createServer((req, res) => {
    stats.requests++;
    stats.paths.add(req.url);
    req.on('data', (d) => (stats.bytes += d.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, stats, stop: () => new Promise((resolve) => server.close(resolve)) };
}
