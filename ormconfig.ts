import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { entities } from './src/db/entities';
import { migrations } from './migrations';
import { startEmbeddedPostgres } from './src/db/embedded';

/**
 * The one data source definition, used by the app, the tests and the TypeORM CLI. `synchronize`
 * stays off: schema changes are migrations. `poolSize` is 1 on the embedded database: PGlite has a
 * single backend, and its socket server interleaves the messages of concurrent clients (under load,
 * one statement was seen running with another's parameters), so one connection must carry all.
 */
export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: { max: poolSize },
  });
}

/**
 * For the TypeORM CLI (`npm run migration:generate`, `migration:check`). With DATABASE_URL it is that
 * database as it stands; without, a scratch embedded PostgreSQL with every committed migration applied,
 * so that a generated migration is exactly the difference between the entities and the migrations.
 * It is a lazy thenable: nothing starts unless the CLI awaits it.
 */
export const cliDataSource: PromiseLike<DataSource> = {
  then(onFulfilled, onRejected) {
    return openCliDataSource().then(onFulfilled, onRejected);
  },
};

async function openCliDataSource(): Promise<DataSource> {
  if (process.env.DATABASE_URL) return createDataSource(process.env.DATABASE_URL);
  const embedded = await startEmbeddedPostgres(null);
  const migrated = createDataSource(embedded.url, 1);
  await migrated.initialize();
  await migrated.runMigrations();
  await migrated.destroy();
  const dataSource = createDataSource(embedded.url, 1);
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    await destroy();
    await embedded.stop();
  };
  return dataSource;
}
