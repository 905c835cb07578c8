import { errorCode, startTestServer, type TestServer } from '../testing/harness';

let server: TestServer;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'mobile-app');
});
afterAll(async () => {
  await server?.close();
});

const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index id field message } } }';

describe('trackEvents', () => {
  const now = new Date().toISOString();

  it('stores good events, reports bad ones per item, and never stores an id twice', async () => {
    const events = [
      { id: 'e1', userId: 'u1', type: 'app_open', occurredAt: now },
      { id: 'e2', userId: 'u1', type: 'payment', value: 120.5, properties: { currency: 'CNY' }, occurredAt: now },
      { id: 'e3', userId: 'u1', type: 'Not A Type', occurredAt: now },
      { id: 'e4', userId: 'u1', type: 'post', occurredAt: 'yesterday' },
      { id: 'e5', userId: 'u1', type: 'post', occurredAt: '2099-01-01T00:00:00Z' },
      { id: 'e6', userId: '', type: 'post', occurredAt: now },
      { id: 'e2', userId: 'u1', type: 'payment', value: 120.5, occurredAt: now },
    ];
    const first = (await server.gql(TRACK, { events }, sdkKey)).data.trackEvents;
    expect(first).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: [
        { index: 2, id: 'e3', field: 'type', message: expect.any(String) },
        { index: 3, id: 'e4', field: 'occurredAt', message: 'must be an ISO 8601 date-time' },
        { index: 4, id: 'e5', field: 'occurredAt', message: 'is in the future' },
        { index: 5, id: 'e6', field: 'userId', message: 'must be 1 to 200 characters' },
      ],
    });
    const retry = (await server.gql(TRACK, { events: events.slice(0, 2) }, sdkKey)).data.trackEvents;
    expect(retry).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    const stored = await server.uplift.dataSource.query(`SELECT id, type, value, properties FROM events WHERE user_id = 'u1' ORDER BY id`);
    expect(stored).toEqual([
      { id: 'e1', type: 'app_open', value: null, properties: null },
      { id: 'e2', type: 'payment', value: 120.5, properties: { currency: 'CNY' } },
    ]);
  });

  it('takes up to 5,000 events a call and refuses more', async () => {
    const events = Array.from({ length: 5_000 }, (_, i) => ({ id: `bulk-${i}`, userId: `u${i % 100}`, type: 'app_open', occurredAt: now }));
    expect((await server.gql(TRACK, { events }, sdkKey)).data.trackEvents).toMatchObject({ accepted: 5_000, duplicates: 0 });
    const tooMany = [...events, { id: 'one-more', userId: 'u', type: 'app_open', occurredAt: now }];
    expect((await server.gql(TRACK, { events: tooMany }, sdkKey)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
  });

  it('is refused to analysts', async () => {
    const analyst = await server.createKey('ANALYST');
    expect(errorCode(await server.gql(TRACK, { events: [] }, analyst))).toBe('FORBIDDEN');
  });
});

describe('per-user summaries kept by ingestion', () => {
  const summaryOf = (userId: string) =>
    server.uplift.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, event_type AS "type", event_count AS "count", value_sum AS "sum"
       FROM user_event_days WHERE user_id = $1 ORDER BY day, event_type`,
      [userId],
    );
  const activityOf = async (userId: string) =>
    (await server.uplift.dataSource.query(`SELECT first_active_at AS "first", last_active_at AS "last" FROM user_activity WHERE user_id = $1`, [userId]))[0];
  const daysAgo = (days: number, time: string) => `${new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)}T${time}Z`;

  it('count and sum events per UTC day and type, once per event id however often it is sent', async () => {
    const events = [
      { id: 's1', userId: 'sum-1', type: 'payment', value: 60, occurredAt: daysAgo(2, '23:59:59.999') },
      { id: 's2', userId: 'sum-1', type: 'payment', value: 45.5, occurredAt: daysAgo(1, '00:00:00.000') },
      { id: 's3', userId: 'sum-1', type: 'payment', value: 10, occurredAt: daysAgo(1, '12:00:00.000') },
      { id: 's4', userId: 'sum-1', type: 'post', occurredAt: daysAgo(1, '13:00:00.000') },
    ];
    expect((await server.gql(TRACK, { events }, sdkKey)).data.trackEvents.accepted).toBe(4);
    // A retry of the whole batch, plus one new event: only the new one counts.
    const retry = [...events, { id: 's5', userId: 'sum-1', type: 'post', occurredAt: daysAgo(1, '14:00:00.000') }];
    expect((await server.gql(TRACK, { events: retry }, sdkKey)).data.trackEvents).toMatchObject({ accepted: 1, duplicates: 4 });
    expect(await summaryOf('sum-1')).toEqual([
      { day: daysAgo(2, '').slice(0, 10), type: 'payment', count: 1, sum: 60 },
      { day: daysAgo(1, '').slice(0, 10), type: 'payment', count: 2, sum: 55.5 },
      { day: daysAgo(1, '').slice(0, 10), type: 'post', count: 2, sum: 0 },
    ]);
    expect(await activityOf('sum-1')).toEqual({ first: new Date(daysAgo(2, '23:59:59.999')), last: new Date(daysAgo(1, '14:00:00.000')) });
  });

  it('move the first and last activity only outwards when events arrive late', async () => {
    await server.gql(TRACK, { events: [{ id: 'late-1', userId: 'sum-2', type: 'app_open', occurredAt: daysAgo(1, '10:00:00.000') }] }, sdkKey);
    await server.gql(TRACK, { events: [{ id: 'late-2', userId: 'sum-2', type: 'app_open', occurredAt: daysAgo(5, '10:00:00.000') }] }, sdkKey);
    expect(await activityOf('sum-2')).toEqual({ first: new Date(daysAgo(5, '10:00:00.000')), last: new Date(daysAgo(1, '10:00:00.000')) });
  });

  it('stay exact when concurrent batches touch the same users', async () => {
    const users = Array.from({ length: 50 }, (_, i) => `busy-${i}`);
    const batch = (n: number) => users.map((userId, i) => ({ id: `busy-${n}-${i}`, userId, type: 'like', value: 1, occurredAt: daysAgo(0, '00:00:01.000') }));
    // Half the batches list the users in reverse: the summaries are written in key order whatever the batch's order.
    const batches = Array.from({ length: 8 }, (_, n) => (n % 2 ? batch(n).reverse() : batch(n)));
    const results = await Promise.all(batches.map((events) => server.gql(TRACK, { events }, sdkKey)));
    expect(results.map((r) => r.errors ?? r.data.trackEvents.accepted)).toEqual(Array(8).fill(50));
    const totals = await server.uplift.dataSource.query(
      `SELECT count(DISTINCT user_id)::int AS users, sum(event_count)::int AS events, sum(value_sum) AS total FROM user_event_days WHERE user_id LIKE 'busy-%'`,
    );
    expect(totals).toEqual([{ users: 50, events: 400, total: 400 }]);
  });
});
