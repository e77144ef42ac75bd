// The physical ceiling: a bare node:http server answering every request with the response the app
// sends for the cached list — the same status line, headers and body bytes, so that the only
// difference left is the work of producing them. Run as its own process, as the app is, so both
// get a core alike.
//   node bench/lib/ceiling-server.mjs <port> <body file> <headers file>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, bodyFile, headersFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = { ...JSON.parse(readFileSync(headersFile, 'utf8')), 'content-length': body.length };

createServer((req, res) => {
  res.writeHead(200, headers);
  res.end(body);
})
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
