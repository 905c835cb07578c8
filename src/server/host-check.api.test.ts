import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../testing/harness';
import { guardHosts, hostName, parseAllowedHosts } from './host-check';

/** A request with a Host header of our choosing (fetch does not let one set it). */
function request(url: string, path: string, host: string | undefined, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const target = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    const req = http.request({ host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers, setHost: host === undefined ? false : undefined }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    if (host !== undefined) req.setHeader('host', host);
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('Host names', () => {
  it('reads the name of a Host header without its port', () => {
    expect(hostName('LocalHost:4000')).toBe('localhost');
    expect(hostName('[::1]:4000')).toBe('[::1]');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('uplift.example.com.')).toBe('uplift.example.com');
    expect(parseAllowedHosts(' uplift.internal, Uplift.Example.com:443 ,,')).toEqual(['uplift.internal', 'uplift.example.com']);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});

describe('the Host check on a loopback address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const resolveBody = JSON.stringify({ query: 'query ($user: UserContextInput!) { resolve(user: $user) { userId } }', variables: { user: { id: 'u1' } } });

  it('refuses another name (DNS rebinding) with 403 and a clear JSON body, on the fast path, Apollo, GraphiQL and its assets', async () => {
    const json = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
    for (const [path, options] of [
      ['/graphql', { method: 'POST', body: resolveBody, headers: json }],
      ['/graphql', { method: 'POST', body: JSON.stringify({ query: '{ experiments { nodes { key } } }' }), headers: json }],
      ['/graphql', { headers: { accept: 'text/html' } }],
      ['/graphiql/graphiql.js', {}],
      ['/assets/sign-in.js', {}],
    ] as const) {
      for (const host of ['attacker.example', 'attacker.example:4000', 'localhost.attacker.example', '127.0.0.1.nip.io', '']) {
        const response = await request(server.url, path, host, options);
        expect([path, host, response.status]).toEqual([path, host, 403]);
        expect(JSON.parse(response.body).errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', reason: 'HOST_NOT_ALLOWED' } });
        expect(JSON.parse(response.body).errors[0].message).toMatch(/UPLIFT_ALLOWED_HOSTS/);
      }
    }
    // No Host at all: Node itself answers 400 for HTTP/1.1 (requireHostHeader), before our check.
    expect((await request(server.url, '/graphql', undefined, { method: 'POST', body: resolveBody, headers: json })).status).toBe(400);
  });

  it('serves this machine’s names on any port', async () => {
    const json = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
    for (const host of ['127.0.0.1', `127.0.0.1:${new URL(server.url).port}`, 'localhost:1234', 'LOCALHOST', '[::1]:80', '[::1]']) {
      const response = await request(server.url, '/graphql', host, { method: 'POST', body: resolveBody, headers: json });
      expect([host, response.status]).toEqual([host, 200]);
    }
  });

  it('answers /healthz and /readyz whatever the Host', async () => {
    expect((await request(server.url, '/healthz', 'probe.internal')).status).toBe(200);
    expect((await request(server.url, '/readyz?verbose=1', 'probe.internal')).status).toBe(200);
  });
});

describe('the Host check elsewhere (0.0.0.0, behind a proxy)', () => {
  async function serve(listener: http.RequestListener) {
    const server = http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
  }
  const ok: http.RequestListener = (_req, res) => res.end('ok');

  it('accepts any name when no list is set', async () => {
    const open = await serve(guardHosts({ listenHost: '0.0.0.0', allowedHosts: [] }, ok));
    expect((await request(open.url, '/graphql', 'uplift.example.com')).status).toBe(200);
    await open.close();
  });

  it('lets the list decide when one is set, on loopback too (a proxy in front)', async () => {
    for (const listenHost of ['0.0.0.0', '127.0.0.1']) {
      const listed = await serve(guardHosts({ listenHost, allowedHosts: parseAllowedHosts('uplift.example.com') }, ok));
      expect((await request(listed.url, '/', 'uplift.example.com')).status).toBe(200);
      expect((await request(listed.url, '/', 'UPLIFT.example.com:443')).status).toBe(200);
      expect((await request(listed.url, '/', 'localhost')).status).toBe(200);
      expect((await request(listed.url, '/', 'other.example.com')).status).toBe(403);
      await listed.close();
    }
  });
});
