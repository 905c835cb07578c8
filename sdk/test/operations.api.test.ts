/**
 * What the SDK does with an answer its generated operation types do not allow: the real server's
 * answers, altered by a proxy in front of it into what the schema permits but the SDK's public
 * types do not (an assignment by another reason than a split or a forced assignment; a
 * configuration that is not one). Each becomes INVALID_RESPONSE with the defaults, never a wrong
 * answer and never an exception.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalUpliftClient, UpliftClient, type UpliftError } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'sdk-operations-tests');
  const created = await server.gql(`mutation { createExperiment(input: { key: "onboarding", name: "Onboarding", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "tour", name: "T", weight: 50 }] }) { version } }`);
  expect(created.errors).toBeUndefined();
  expect((await server.gql('mutation { startExperiment(key: "onboarding", version: 1) { key } }')).errors).toBeUndefined();
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

/** Passes requests on to Uplift and rewrites each answer's JSON with `alter`. */
async function alteringProxy(alter: (answer: any) => unknown) {
  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${server.url}${req.url}`, {
      method: req.method,
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(alter(await upstream.json())));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}

describe('answers the generated types allow and the SDK does not', () => {
  it('refuses an experiment assigned with a reason other than SPLIT or TARGETING_MATCH', async () => {
    const proxy = await alteringProxy((answer) => {
      for (const assignment of answer.data?.resolve?.experiments ?? []) assignment.reason = 'DEFAULT';
      return answer;
    });
    const direct = new UpliftClient({ url: server.url, key: sdkKey });
    const altered = new UpliftClient({ url: proxy.url, key: sdkKey });
    try {
      expect((await direct.resolve({ id: 'u1' })).experiments).toEqual([expect.objectContaining({ experimentKey: 'onboarding', reason: 'SPLIT' })]);
      const answer = await altered.resolve({ id: 'u1' });
      expect(answer).toMatchObject({ userId: 'u1', experiments: [], flags: [], entitlements: null, errorCode: 'INVALID_RESPONSE' });
      expect(answer.errorMessage).toMatch(/onboarding.*DEFAULT/);
    } finally {
      await Promise.all([direct.close(), altered.close(), proxy.close()]);
    }
  });

  it('refuses a configuration that is not one, and stays not ready', async () => {
    // GET /sdk/v1/config answers the configuration itself: the proxy wraps it in a list.
    const proxy = await alteringProxy((answer) => (answer?.version ? [answer] : answer));
    const errors: UpliftError[] = [];
    const local = new LocalUpliftClient({ url: proxy.url, key: sdkKey, refreshIntervalMs: 0, onError: (error) => errors.push(error) });
    try {
      expect(await local.ready(2_000)).toBe(false);
      expect(errors.map((error) => error.code)).toEqual(['INVALID_RESPONSE']);
      expect(local.experiment({ id: 'u1' }, 'onboarding')).toMatchObject({ variantKey: null, errorCode: 'NOT_READY' });
    } finally {
      await Promise.all([local.close(), proxy.close()]);
    }
  });
});
