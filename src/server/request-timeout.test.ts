import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { BODY_ABORTED, readBody } from './fast-path';
import { REQUEST_TIMEOUTS } from './http';

describe('slow request bodies', () => {
  it('are cut within 30 s by the server the app uses', () => {
    expect(REQUEST_TIMEOUTS.requestTimeout).toBeLessThanOrEqual(30_000);
    expect(REQUEST_TIMEOUTS.headersTimeout).toBeLessThanOrEqual(REQUEST_TIMEOUTS.requestTimeout);
    expect(REQUEST_TIMEOUTS.connectionsCheckingInterval).toBeLessThanOrEqual(1_000);
  });

  it('end the fast path’s body reading when the timeout cuts them (the same options, shortened)', async () => {
    const results: unknown[] = [];
    const server = http.createServer({ ...REQUEST_TIMEOUTS, requestTimeout: 1_000, headersTimeout: 500, connectionsCheckingInterval: 100 }, (req, res) => {
      void readBody(req, 1_000).then((body) => {
        results.push(body);
        if (body !== BODY_ABORTED) res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    const answer: Buffer[] = [];
    socket.on('data', (chunk) => answer.push(chunk));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write('POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"q');
    // A trickle: one byte every 200 ms would take 20 s.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const at = await closed;
    clearInterval(trickle);
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.close();
    expect(at - started).toBeLessThan(3_000);
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 408/);
    expect(results).toEqual([BODY_ABORTED]);
  });
});
