import type { DataSource } from 'typeorm';
import type { Logger } from './logger';
import type { Principal } from '../auth/principal';
import type { ExperimentLoaders } from '../experiments/experiment.loaders';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { ExposureWriter } from '../events/exposure.writer';
import type { UserStateService } from '../entitlements/user-state.service';

/** What every resolver gets: who is calling, the shared services, and this request's DataLoaders. */
export interface RequestContext {
  principal: Principal | null;
  dataSource: DataSource;
  logger: Logger;
  loaders: ExperimentLoaders;
  /** The running configuration, in memory: what resolve reads. */
  snapshots: SnapshotService;
  /** This request's exposures: held until the answer is known, then handed to the writer (commitExposures). */
  exposures: Pick<ExposureWriter, 'record'>;
  /** Called by the server once the answer carries data: a refused request (data null) logs no exposures. */
  commitExposures(): void;
  /** Users' behavioural facts and grants, for entitlements: cached, batched. */
  userStates: UserStateService;
  /** The server's clock: exposure and event times, experiment start and stop, entitlements, results' today (injectable: tests, the demo). */
  now: () => Date;
}
