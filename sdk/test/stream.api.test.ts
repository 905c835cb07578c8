/**
 * Live updates: the server's Server-Sent Events stream, and the SDK following it.
 */
import { LocalUpliftClient } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;
let clientKey: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'streaming-app');
  clientKey = await server.createKey('CLIENT', 'streaming-web');
  const created = await server.gql('mutation { createFlag(input: { key: "live", name: "Live", type: STRING, defaultValue: "v1", enabled: true }) { key version } }');
  expect(created.errors).toBeUndefined();
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

/** Reads a stream's text until `until` holds or `ms` pass. */
async function readUntil(body: ReadableStream<Uint8Array>, until: (text: string) => boolean, ms: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (!until(text) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(1, deadline - Date.now())))]);
    if (chunk === null || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

let flagVersion = 1;
async function setLive(value: string) {
  const updated = await server.gql('mutation ($v: Int!, $d: JSON!) { updateFlag(key: "live", version: $v, input: { defaultValue: $d }) { version } }', { v: flagVersion, d: value });
  expect(updated.errors).toBeUndefined();
  flagVersion = updated.data.updateFlag.version;
}

describe('the configuration stream', () => {
  it('sends the current version at once, then each new one, with headers that keep proxies from buffering', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/sdk/v1/stream`, { headers: { authorization: `Bearer ${sdkKey}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('cache-control')).toMatch(/no-transform/);
    expect(response.headers.get('content-encoding')).toBeNull(); // fetch asked for gzip, br and deflate
    const current = server.uplift.snapshots.current().version;
    const first = await readUntil(response.body!, (text) => text.includes('data:'), 3_000);
    expect(first).toContain(`event: config\nid: ${current}\ndata: {"version":"${current}"}\n\n`);
    await setLive('v2');
    const next = await readUntil(response.body!, (text) => text.includes('data:'), 5_000);
    const version = server.uplift.snapshots.current().version;
    expect(version).not.toBe(current);
    expect(next).toContain(`id: ${version}\n`);
    controller.abort();
  });

  it('resumes: a client that already has the current version gets nothing until the next change', async () => {
    const controller = new AbortController();
    const current = server.uplift.snapshots.current().version;
    const response = await fetch(`${server.url}/sdk/v1/stream`, { headers: { authorization: `Bearer ${sdkKey}`, 'last-event-id': current }, signal: controller.signal });
    const text = await readUntil(response.body!, (t) => t.includes('data:'), 1_000);
    expect(text).toBe('retry: 5000\n\n');
    controller.abort();
  });

  it('takes a public client key in the address (for EventSource), never a secret server key', async () => {
    const client = await fetch(`${server.url}/sdk/v1/stream?key=${clientKey}`);
    expect(client.status).toBe(200);
    await client.body!.cancel();
    const secret = await fetch(`${server.url}/sdk/v1/stream?key=${sdkKey}`);
    expect(secret.status).toBe(403);
    expect((await fetch(`${server.url}/sdk/v1/stream`)).status).toBe(401);
  });

  it('brings a change to a following SDK within a second, without polling', async () => {
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0, stream: true });
    await local.ready();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the stream is open
    await setLive('v3');
    const started = Date.now();
    while (local.flag<string>({ id: 'u' }, 'live', 'none').value !== 'v3' && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(local.flag<string>({ id: 'u' }, 'live', 'none').value).toBe('v3');
    expect(Date.now() - started).toBeLessThan(1_000);
    await local.close();
  });

  it('sends a heartbeat on a silent stream within the configured interval', async () => {
    const other = await startTestServer({ config: { streamHeartbeatMs: 300 } });
    const controller = new AbortController();
    // Resuming at the current version: nothing to send but heartbeats.
    const response = await fetch(`${other.url}/sdk/v1/stream`, {
      headers: { authorization: `Bearer ${other.adminKey}`, 'last-event-id': other.uplift.snapshots.current().version },
      signal: controller.signal,
    });
    // Reading stops at the second heartbeat; the window only bounds a loaded machine's pauses.
    const text = await readUntil(response.body!, (t) => t.split(': heartbeat\n\n').length > 2, 5_000);
    expect(text).toMatch(/^retry: 5000\n\n(: heartbeat\n\n){2,}$/);
    controller.abort();
    await other.close();
  });

  it('is closed first on shutdown, so that stopping does not wait for open streams, and logs no key from the address', async () => {
    const lines: string[] = [];
    const other = await startTestServer({ config: { logLevel: 'info', logDestination: { write: (line: string) => void lines.push(line) } } });
    const publicKey = await other.createKey('CLIENT', 'web');
    const secretKey = await other.createKey('SDK', 'server');
    expect((await fetch(`${other.url}/sdk/v1/stream?key=${secretKey}`)).status).toBe(403);
    const browser = await fetch(`${other.url}/sdk/v1/stream?key=${publicKey}`);
    expect(browser.status).toBe(200);
    const browserEnded = browser.text();
    const response = await fetch(`${other.url}/sdk/v1/stream`, { headers: { authorization: `Bearer ${other.adminKey}` } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended cleanly';
    })().catch(() => 'cut off');
    const started = Date.now();
    await other.close();
    // Left open, the stream would hold draining for its 10 s grace period and then be cut off;
    // closed first, it ends cleanly and stopping takes what it takes without it.
    expect(await ended).toBe('ended cleanly');
    expect(Date.now() - started).toBeLessThan(9_500);
    await browserEnded;
    const logged = lines.join('');
    expect(logged).not.toContain(publicKey);
    expect(logged).not.toContain(secretKey);
    const paths = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request').map((line) => `${line.status} ${line.path}`);
    expect(paths).toEqual(expect.arrayContaining(['403 /sdk/v1/stream?key', '200 /sdk/v1/stream?key']));
  });
});
