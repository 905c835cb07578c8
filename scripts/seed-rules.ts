/**
 * `npm run seed:rules`: loads the growth teams' rules (docs/concepts.md) into a running Uplift through
 * its public API. UPLIFT_URL (default http://127.0.0.1:4000) and UPLIFT_ADMIN_KEY (default: the
 * embedded default's generated key, in UPLIFT_DATA_DIR or .uplift/data). Safe to run again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { seedRules } from '../client-examples/rules/product-rules';

function adminKey(): string {
  if (process.env.UPLIFT_ADMIN_KEY) return process.env.UPLIFT_ADMIN_KEY;
  const file = path.join(path.resolve(process.env.UPLIFT_DATA_DIR || '.uplift/data'), 'admin-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  throw new Error('Set UPLIFT_ADMIN_KEY to an ADMIN key of the Uplift at UPLIFT_URL');
}

const url = process.env.UPLIFT_URL || 'http://127.0.0.1:4000';
seedRules(url, adminKey())
  .then((report) => {
    for (const [what, names] of Object.entries(report)) console.log(`${what.padEnd(9)} ${names.length ? names.join(', ') : '-'}`);
  })
  .catch((error) => {
    console.error(`seed:rules failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
