import { buildTimeline } from './timeline';

/**
 * Expected values computed by hand from the definitions: a day counts only users whose day n has
 * ended before today; intervals are Wilson's, R's prop.test(x, n, correct = FALSE)$conf.int,
 * evaluated by hand with z = qnorm(0.975) = 1.959964.
 */
describe('buildTimeline', () => {
  const rows = [
    { variantKey: 'control', exposureDay: '2026-11-01', users: 10, activeOnDay: [10, 4, 2, 1] },
    { variantKey: 'control', exposureDay: '2026-11-03', users: 5, activeOnDay: [5, 1, 0, 0] },
    { variantKey: 'treatment', exposureDay: '2026-11-03', users: 3, activeOnDay: [3, 1, 0, 0] },
  ];
  const { retention, exposuresPerDay } = buildTimeline(rows, ['control', 'treatment'], '2026-11-04');
  const point = (variantKey: string, day: number) => retention.find((p) => p.variantKey === variantKey && p.day === day)!;

  it('counts on day n only the users whose day n has passed', () => {
    // Day 0: both cohorts (exposed 3 and 1 days before today). Day 1: only the first (1 day is not > 1).
    expect(point('control', 0)).toMatchObject({ users: 15, activeUsers: 15, rate: 1 });
    expect(point('control', 1)).toMatchObject({ users: 10, activeUsers: 4, rate: 0.4 });
    expect(point('control', 2)).toMatchObject({ users: 10, activeUsers: 2, rate: 0.2 });
    // Day 3: 2026-11-01 + 3 is today, not yet over.
    expect(point('control', 3)).toMatchObject({ users: 0, activeUsers: 0, rate: null, interval: null });
    expect(point('treatment', 1)).toMatchObject({ users: 0, rate: null });
  });

  it('gives each point a Wilson interval', () => {
    // prop.test(15, 15, correct = FALSE)$conf.int: [0.7961, 1]; prop.test(4, 10, correct = FALSE)$conf.int: [0.1682, 0.6873].
    expect(point('control', 0).interval!.lower).toBeCloseTo(0.796117, 5);
    expect(point('control', 0).interval!.upper).toBe(1);
    expect(point('control', 1).interval!.lower).toBeCloseTo(0.168180, 5);
    expect(point('control', 1).interval!.upper).toBeCloseTo(0.687326, 5);
    expect(point('treatment', 0)).toMatchObject({ users: 3, activeUsers: 3 });
  });

  it('lists the exposures per arm and day', () => {
    expect(exposuresPerDay).toEqual([
      { variantKey: 'control', day: '2026-11-01', users: 10 },
      { variantKey: 'control', day: '2026-11-03', users: 5 },
      { variantKey: 'treatment', day: '2026-11-03', users: 3 },
    ]);
  });
});
