/** The baseline for bench:resolve: bare Node http answering every request with one fixed JSON body. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = process.env.BARE_BODY ?? '{}';
const length = Buffer.byteLength(body);
const server = http.createServer((req, res) => {
  // Read the request like the real server has to, then answer.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
