import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The import rules of .dependency-cruiser.cjs over src/: no circles, and the pure modules reach
 * nothing that touches the database, GraphQL decorators or Node's own modules. The message lists
 * each offending import with the path that reaches it.
 */
describe('module imports', () => {
  it('have no circles, and the pure modules stay pure', () => {
    const root = path.resolve(__dirname, '..');
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.error).toBeUndefined();
    expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, output: expect.stringContaining('no dependency violations found') });
  });
});
