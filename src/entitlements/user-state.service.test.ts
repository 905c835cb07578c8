import type { DataSource } from 'typeorm';
import { UserStateService } from './user-state.service';
import type { EntitlementConfig } from './entitlement.snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';
import { MatchMode } from '../targeting/targeting.types';

const config: EntitlementConfig = {
  catalogue: [{ key: 'advisor', kind: 'FEATURE', period: null, defaultValue: true }],
  rules: [
    {
      key: 'away', effect: 'GRANT', priority: 0, enabled: true, validFrom: null, validUntil: null,
      targeting: { tiers: [], match: MatchMode.ALL, conditions: [] }, variants: [],
      behaviour: [{ fact: 'EVENT_COUNT', eventTypes: ['post'], windowDays: 7, operator: 'GTE', value: 1 }],
      entitlements: [{ key: 'advisor', value: null }],
    },
  ],
  hasUserGrants: false,
  userGrantsVersion: '',
};

/** The service over a database that answers each read with the users' ids and how many reads there were. */
function setUp(ttlMs = 1_000) {
  let reads = 0;
  let failing = false;
  const query = jest.fn(async (_sql: string, [userIds]: [string[]]) => {
    reads++;
    if (failing) throw new Error('database away');
    return userIds.map((userId) => ({ userId, lastActiveAt: reads, days: [], grants: [] }));
  });
  let current = config;
  let clock = Date.UTC(2026, 10, 20, 12);
  const snapshots = { entitlements: () => current } as unknown as SnapshotService;
  const service = new UserStateService({ manager: { query } } as unknown as DataSource, snapshots, () => new Date(clock), ttlMs);
  return {
    service,
    query,
    moveClock: (ms: number) => (clock += ms),
    fail: (value: boolean) => (failing = value),
    swapConfig: () => (current = { ...config }),
  };
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
afterEach(() => jest.useRealTimers());

describe('UserStateService', () => {
  it('reads users asked for in the same tick in one query, and a user in flight once', async () => {
    const { service, query } = setUp();
    const states = await Promise.all([service.load('a'), service.load('b'), service.load('a')]);
    expect(query).toHaveBeenCalledTimes(1);
    expect(query.mock.calls[0][1][0]).toEqual(['a', 'b']);
    // The read asks for the last 7 days of post summaries, from 2026-11-14.
    expect(query.mock.calls[0][1].slice(1, 4)).toEqual(['2026-11-14', ['post'], false]);
    expect(states.map((s) => s.facts.lastActiveAt)).toEqual([1, 1, 1]);
  });

  it('serves what it read while young, refreshes it in the background after half the lifetime, and never serves it past the lifetime', async () => {
    const { service, query } = setUp(1_000);
    await service.load('a');
    jest.setSystemTime(1_000_499);
    expect(service.peek('a')?.facts.lastActiveAt).toBe(1);
    expect(query).toHaveBeenCalledTimes(1);
    jest.setSystemTime(1_000_500);
    expect(service.peek('a')?.facts.lastActiveAt).toBe(1); // served, and read again behind it
    await service.load('b'); // a request that waits is read at once, not with the refresh
    expect(query).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(50); // background refreshes are read together, 50 ms on
    await new Promise((resolve) => setImmediate(resolve));
    expect(query).toHaveBeenCalledTimes(3);
    expect(query.mock.calls[2][1][0]).toEqual(['a']);
    expect(service.peek('a')?.facts.lastActiveAt).toBe(3);
    jest.setSystemTime(1_001_500); // the refresh started at 1_000_500: exactly its lifetime
    expect(service.peek('a')).toBeUndefined();
  });

  it('forgets invalidated users, starts over when the configuration changes, and reads again for a clock set back', async () => {
    const { service, swapConfig, moveClock } = setUp();
    await service.load('a');
    await service.load('b');
    service.invalidate(['a']);
    expect(service.peek('a')).toBeUndefined();
    expect(service.peek('b')).toBeDefined();
    moveClock(86_400_000); // what was read is good for later times
    expect(service.peek('b')).toBeDefined();
    moveClock(-86_400_001); // not for earlier ones: grants may have looked expired, windows started later
    expect(service.peek('b')).toBeUndefined();
    moveClock(1);
    swapConfig();
    expect(service.peek('b')).toBeUndefined();
  });

  it('passes a failed read to the request waiting for it, and keeps nothing from it', async () => {
    const { service, fail } = setUp();
    fail(true);
    await expect(service.load('a')).rejects.toThrow('database away');
    expect(service.peek('a')).toBeUndefined();
    fail(false);
    expect((await service.load('a')).facts.lastActiveAt).toBe(2);
  });
});
