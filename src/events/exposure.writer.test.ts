import type { DataSource } from 'typeorm';
import { ExposureWriter } from './exposure.writer';
import { createLogger } from '../common/logger';
import type { ExperimentAssignment, Resolution } from '../assignment/snapshot';

// Only record() runs here: nothing is flushed nor spooled, so no database or folder is needed.
const writer = () => new ExposureWriter(null as unknown as DataSource, createLogger('silent'), { spoolDir: '/nonexistent' });
const assignment = (experimentKey: string, phase: number, reason: ExperimentAssignment['reason'] = 'SPLIT'): ExperimentAssignment => ({
  experimentKey, variantKey: 'treatment', payload: null, phase, reason,
});
const resolution = (userId: string, experiments: ExperimentAssignment[]): Resolution => ({ userId, inHoldout: false, experiments, flags: [] });
const AT = new Date('2026-11-24T12:00:00Z');

describe('ExposureWriter.record', () => {
  it('queues each user once per experiment and phase, and never a forced assignment', () => {
    const exposures = writer();
    const user = { id: 'u1', tier: null, attributes: {} };
    exposures.record(user, resolution('u1', [assignment('a', 1), assignment('b', 1), assignment('forced', 1, 'TARGETING_MATCH')]), AT);
    expect(exposures.waiting).toBe(2);
    exposures.record(user, resolution('u1', [assignment('a', 1), assignment('b', 1)]), AT);
    expect(exposures.waiting).toBe(2);
    // A restarted experiment (a new phase) is a new exposure; another user too.
    exposures.record(user, resolution('u1', [assignment('a', 2)]), AT);
    exposures.record({ id: 'u2', tier: null, attributes: {} }, resolution('u2', [assignment('a', 1)]), AT);
    expect(exposures.waiting).toBe(4);
  });
});
