/**
 * `npm run migration:run` / `migration:revert` on the database the app would use:
 * DATABASE_URL, or the embedded one in UPLIFT_DATA_DIR.
 */
import 'reflect-metadata';
import { createDataSource } from '../ormconfig';
import { configFromEnv } from '../src/common/config';
import { startEmbeddedPostgres } from '../src/db/embedded';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'revert') throw new Error('usage: migrate.ts run|revert');
  const config = configFromEnv();
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  const dataSource = config.databaseUrl ? createDataSource(config.databaseUrl) : createDataSource(embedded!.url, 1);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migration');
    } else {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
