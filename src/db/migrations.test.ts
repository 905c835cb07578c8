import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, type TestServer } from '../testing/harness';
import { migrations } from '../../migrations';
import { projectRoot } from '../common/paths';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('migrations', () => {
  it('bring a fresh database exactly to what the entities describe', async () => {
    // The same comparison `npm run migration:generate` makes: an empty list means nothing to generate.
    const sql = await server.uplift.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('are all listed in migrations/index.ts, oldest first', () => {
    const files = fs.readdirSync(path.join(projectRoot, 'migrations')).filter((file) => /^\d+-.+\.ts$/.test(file)).sort();
    const listed = migrations.map((migration) => new migration().constructor.name);
    expect(listed).toEqual(files.map((file) => file.replace(/^(\d+)-(.+)\.ts$/, '$2$1')));
  });

  it('revert and re-apply cleanly', async () => {
    const { dataSource } = server.uplift;
    for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration();
    const tables = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
    expect(tables).toEqual([]);
    await dataSource.runMigrations();
    expect(await dataSource.showMigrations()).toBe(false);
  });
});
