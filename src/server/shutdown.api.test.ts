import net from 'node:net';
import { startTestServer, type TestServer } from '../testing/harness';

/** A raw keep-alive connection to the server, and everything it has received. */
function connect(url: string): { socket: net.Socket; received: () => string; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks).toString(), closed };
}

const waitFor = async (condition: () => boolean, ms = 5_000) => {
  for (const deadline = Date.now() + ms; !condition(); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('shutdown (close(), as SIGTERM runs it)', () => {
  let server: TestServer;
  /** The test's own close (the shutdown under test, then the database dropped); afterEach's if it failed before. */
  let closing: Promise<void> | undefined;
  afterEach(async () => {
    await (closing ?? server?.close());
  });

  it('finishes a request in flight, closes idle keep-alive connections, and refuses new ones', async () => {
    server = await startTestServer();
    const { url } = server;
    const query = JSON.stringify({ query: '{ __typename }' });
    const request = (body: string) =>
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${server.adminKey}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;

    // One connection that has been answered once and now sits idle.
    const idle = connect(url);
    idle.socket.write(request(query) + query);
    await waitFor(() => idle.received().includes('__typename'));

    // One whose request is half sent when shutdown starts.
    const busy = connect(url);
    busy.socket.write(request(query) + query.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));

    closing = server.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await idle.closed; // the idle one is let go at once
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false); // the request in flight holds shutdown up

    busy.socket.write(query.slice(5));
    await busy.closed; // answered, then let go
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(busy.received()).toContain('"__typename":"Query"');
    await closing;

    const refused = await new Promise<string>((resolve) => net.connect(Number(new URL(url).port), '127.0.0.1').on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? '')).on('connect', () => resolve('connected')));
    expect(refused).toBe('ECONNREFUSED');
  });
});
