import fs from 'node:fs';
import { printedSchema, SCHEMA_FILE } from './schema';

describe('schema/schema.graphql', () => {
  it('is what the code generates (run `npm run schema:emit` after changing the API)', async () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printedSchema());
  });
});
