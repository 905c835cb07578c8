import fs from 'node:fs';
import path from 'node:path';

/** The folder holding package.json: the same whether running from `src/` (ts) or `dist/src/` (built). */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();
