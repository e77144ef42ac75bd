// The physical ceiling: a bare node:http server answering every request with the bytes the app
// sends for the cached list. Run as its own process, as the app is, so both get a core alike.
//   node bench/lib/ceiling-server.mjs <port> <body file> <content type>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, bodyFile, contentType] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = { 'content-type': contentType, 'content-length': body.length };

createServer((req, res) => {
  res.writeHead(200, headers);
  res.end(body);
})
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
