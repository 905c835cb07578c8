import { randomInt } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/harness';

/**
 * experimentTimeline through the real server: users exposed on different days (backdated through
 * the fixture, as only fixtures can), events tracked through trackEvents, and the retention curve
 * and exposures per day checked against a count made here from the events the test sent.
 */
const DAY_MS = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function ok(query: string, variables?: Record<string, unknown>, key?: string) {
  const result = await server.gql(query, variables, key);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

describe('experimentTimeline', () => {
  it('gives each arm’s retention curve and its exposures per day, counting only days that have passed', async () => {
    await ok('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
      input: { key: 'curve', name: 'Curve', primaryMetricKey: 'd7_retention', variants: [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'treatment', name: 'T', weight: 50 }] },
    });
    await ok('mutation { startExperiment(key: "curve", version: 1) { status } }');
    // 60 users exposed 1 to 12 days ago, each active on a random set of days after exposure.
    const users = Array.from({ length: 60 }, (_, i) => ({
      id: `u${i}`,
      variant: i % 2 === 0 ? 'control' : 'treatment',
      daysAgo: 1 + (i % 12),
      activeDays: [...new Set(Array.from({ length: 6 }, () => randomInt(0, 14)))],
    }));
    await server.expose(users.map((u) => ({ experimentKey: 'curve', phase: 1, userId: u.id, variantKey: u.variant, tier: null, exposedAt: new Date(TODAY - u.daysAgo * DAY_MS + 3_600_000) })));
    const events = users.flatMap((u) =>
      u.activeDays
        .filter((day) => day < u.daysAgo) // no events in the future
        .map((day) => ({ id: `${u.id}-${day}`, userId: u.id, type: 'app_open', occurredAt: new Date(TODAY - (u.daysAgo - day) * DAY_MS + 12 * 3_600_000).toISOString() })),
    );
    const tracked = await ok('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }', { events });
    expect(tracked.trackEvents.accepted).toBe(events.length);

    const { experimentTimeline } = await ok(`{ experimentTimeline(key: "curve") {
      experimentKey phase asOfDay retention { variantKey day users activeUsers rate interval { lower upper } } exposuresPerDay { variantKey day users } } }`);
    expect(experimentTimeline).toMatchObject({ experimentKey: 'curve', phase: 1, asOfDay: dayString(TODAY) });

    for (const variant of ['control', 'treatment']) {
      for (let day = 0; day <= 30; day++) {
        // Day n of a user exposed d days ago has passed when n < d.
        const counted = users.filter((u) => u.variant === variant && day < u.daysAgo);
        const active = counted.filter((u) => u.activeDays.includes(day)).length;
        const point = experimentTimeline.retention.find((p: any) => p.variantKey === variant && p.day === day);
        expect({ variant, day, users: point.users, activeUsers: point.activeUsers }).toEqual({ variant, day, users: counted.length, activeUsers: active });
        if (counted.length === 0) expect(point.rate).toBeNull();
        else {
          expect(point.rate).toBeCloseTo(active / counted.length, 12);
          expect(point.interval.lower).toBeLessThanOrEqual(point.rate);
          expect(point.interval.upper).toBeGreaterThanOrEqual(point.rate);
        }
      }
    }
    const perDay = new Map<string, number>();
    for (const u of users) {
      const key = `${u.variant} ${dayString(TODAY - u.daysAgo * DAY_MS)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    expect(new Map(experimentTimeline.exposuresPerDay.map((d: any) => [`${d.variantKey} ${d.day}`, d.users]))).toEqual(perDay);
  });

  it('is for analysts and admins only, and names an unknown experiment', async () => {
    const sdk = await server.createKey('SDK');
    const refused = await server.gql('{ experimentTimeline(key: "curve") { phase } }', undefined, sdk);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = await server.gql('{ experimentTimeline(key: "nope") { phase } }');
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'key' });
  });
});
