import { configFromEnv, DEFAULT_RESULTS_INTERVAL_MS } from './config';

describe('UPLIFT_RESULTS_INTERVAL_MS', () => {
  it('defaults to ten minutes, and 0 turns the results job’s timer off', () => {
    expect(DEFAULT_RESULTS_INTERVAL_MS).toBe(10 * 60 * 1000);
    expect(configFromEnv({}).resultsIntervalMs).toBe(DEFAULT_RESULTS_INTERVAL_MS);
    expect(configFromEnv({ UPLIFT_RESULTS_INTERVAL_MS: '0' }).resultsIntervalMs).toBe(0);
    expect(configFromEnv({ UPLIFT_RESULTS_INTERVAL_MS: '60000' }).resultsIntervalMs).toBe(60_000);
  });

  it('refuses what is not a whole number of milliseconds up to a day', () => {
    for (const value of ['-1', '1.5', 'ten', '86400001']) {
      expect(() => configFromEnv({ UPLIFT_RESULTS_INTERVAL_MS: value })).toThrow(`UPLIFT_RESULTS_INTERVAL_MS must be an integer from 0 to 86400000, got "${value}"`);
    }
  });
});

describe('UPLIFT_STREAM_HEARTBEAT_MS', () => {
  it('defaults to 25 s, the longest allowed', () => {
    expect(configFromEnv({}).streamHeartbeatMs).toBe(25_000);
    expect(configFromEnv({ UPLIFT_STREAM_HEARTBEAT_MS: '10000' }).streamHeartbeatMs).toBe(10_000);
  });

  it('refuses intervals that idle proxies would cut, and what is not a whole number of milliseconds', () => {
    for (const value of ['25001', '60000', '999', '1.5', 'often']) {
      expect(() => configFromEnv({ UPLIFT_STREAM_HEARTBEAT_MS: value })).toThrow(`UPLIFT_STREAM_HEARTBEAT_MS must be an integer from 1000 to 25000 (proxies close streams idle for 30 s or more), got "${value}"`);
    }
  });
});
