import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { DEFAULT_USER_STATE_TTL_MS, type UpliftConfig } from './common/config';
import { createLogger, type Logger } from './common/logger';
import { openDatabase } from './db/database';
import { createHttpServer } from './server/http';
import { ensureBootstrapAdminKey, generateSecret } from './auth/api-key.service';
import { Authenticator } from './auth/authenticator';
import { ChangeBus } from './common/change-bus';
import { SnapshotService } from './assignment/snapshot.service';
import { ExposureWriter } from './events/exposure.writer';
import { UserStateService } from './entitlements/user-state.service';
import { MetricValueFolder } from './metrics/metric-values';

export interface RunningUplift {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  dataSource: DataSource;
  snapshots: SnapshotService;
  exposures: ExposureWriter;
  /** The bootstrap admin key, when one is configured or was generated. */
  adminKey?: string;
  embedded: boolean;
  logger: Logger;
  /** Stops taking requests, lets those in flight finish, then closes the database. */
  close(): Promise<void>;
}

/**
 * The bootstrap admin key: UPLIFT_ADMIN_KEY when set; on the embedded default without it, one
 * generated on first start and kept beside the data, so the next start prints the same key.
 */
function bootstrapKey(config: UpliftConfig, embedded: boolean): string | undefined {
  if (config.adminKey) return config.adminKey;
  if (!embedded || !config.dataDir) return undefined;
  const file = path.join(config.dataDir, 'admin-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = generateSecret();
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The composition root: database, bootstrap key, GraphQL and HTTP, wired together. */
export async function startUplift(config: UpliftConfig): Promise<RunningUplift> {
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config);
  const bus = new ChangeBus(database.dataSource, database.embedded ? null : config.databaseUrl!, logger);
  const snapshots = new SnapshotService(database.dataSource, logger);
  const exposures = new ExposureWriter(database.dataSource, logger);
  const folder = new MetricValueFolder(database.dataSource, logger);
  const now = config.now ?? (() => new Date());
  const userStates = new UserStateService(database.dataSource, snapshots, now, config.userStateTtlMs ?? DEFAULT_USER_STATE_TTL_MS);
  try {
    await bus.start();
    const adminKey = bootstrapKey(config, database.embedded);
    if (adminKey) await ensureBootstrapAdminKey(database.dataSource, adminKey);
    await snapshots.start(bus);
    exposures.start();
    folder.start();
    const http = await createHttpServer({
      dataSource: database.dataSource,
      logger,
      authenticator: new Authenticator(database.dataSource, bus),
      snapshots,
      exposures,
      userStates,
      now,
      graphiqlKey: database.embedded ? adminKey : undefined,
      corsOrigins: config.corsOrigins,
    });
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(config.port, config.host, () => resolve());
    });
    const { port } = http.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      dataSource: database.dataSource,
      snapshots,
      exposures,
      adminKey,
      embedded: database.embedded,
      logger,
      async close() {
        await http.stop();
        await exposures.stop();
        await folder.stop();
        snapshots.stop();
        await bus.stop();
        await database.close();
      },
    };
  } catch (error) {
    snapshots.stop();
    await exposures.stop();
    await folder.stop();
    await bus.stop();
    await database.close();
    throw error;
  }
}
