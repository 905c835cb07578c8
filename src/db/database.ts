import type { DataSource } from 'typeorm';
import { createDataSource } from '../../ormconfig';
import { restrictToOwner, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

export interface Database {
  dataSource: DataSource;
  /** True when Uplift started its own embedded PostgreSQL. */
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to `databaseUrl`, or to a freshly started embedded PostgreSQL, and applies pending migrations. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string | null }): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  const url = options.databaseUrl ?? (embedded = await startEmbeddedPostgres(options.dataDir)).url;
  const dataSource = createDataSource(url, embedded ? 1 : undefined);
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    // Migrations made new files: owner-only like the rest.
    if (embedded?.dataDir) restrictToOwner(embedded.dataDir);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    embedded: embedded !== undefined,
    async close() {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Ready means: the database answers and no migration is pending. */
export async function databaseReadiness(dataSource: DataSource): Promise<{ ready: boolean; reason?: string }> {
  try {
    await dataSource.query('SELECT 1');
    if (await dataSource.showMigrations()) return { ready: false, reason: 'migrations pending' };
    return { ready: true };
  } catch {
    return { ready: false, reason: 'database unreachable' };
  }
}
