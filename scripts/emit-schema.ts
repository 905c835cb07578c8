/** `npm run schema:emit`: writes schema/schema.graphql from the code. A test fails while the file is stale. */
import fs from 'node:fs';
import { printedSchema, SCHEMA_FILE } from '../src/server/schema';

printedSchema().then((sdl) => {
  fs.writeFileSync(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
});
