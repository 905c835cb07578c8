/**
 * The built package as an app gets it: ES module and CommonJS entry points with types, the
 * engine inside (no import of the server's source), and nothing Node-only, so browsers load it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(code: string, type: 'commonjs' | 'module') {
  const result = spawnSync(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code], { cwd: root, encoding: 'utf8' });
  return { status: result.status, out: result.stdout.trim(), err: result.stderr };
}

const PROBE = `const snapshot = { version: 'v', generatedAt: '', holdout: null, layers: [], experiments: [],
  flags: [{ key: 'f', type: 'BOOLEAN', enabled: true, defaultValue: false, seed: 'f', rules: [{ id: 'r', kind: 'VALUE', targeting: { tiers: ['gold'], match: 'ALL', conditions: [] }, value: true }] }] };
console.log(JSON.stringify([typeof sdk.UpliftClient, typeof sdk.LocalUpliftClient, sdk.evaluate(snapshot, { id: 'u', tier: 'gold' }).flags[0].value]));`;

describe('the built package', () => {
  it('loads as an ES module and as CommonJS through its exports', () => {
    const esm = run(`import * as sdk from '@uplift/sdk';\n${PROBE}`, 'module');
    expect(esm).toMatchObject({ status: 0, out: '["function","function",true]' });
    const cjs = run(`const sdk = require('@uplift/sdk');\n${PROBE}`, 'commonjs');
    expect(cjs).toMatchObject({ status: 0, out: '["function","function",true]' });
  });

  it('ships type declarations for both', () => {
    for (const file of [manifest.exports['.'].import.types, manifest.exports['.'].require.types]) {
      const declarations = readFileSync(path.join(root, file), 'utf8');
      expect(declarations).toMatch(/declare class LocalUpliftClient/);
      expect(declarations).toMatch(/interface ConfigSnapshot/);
    }
  });

  it('imports nothing but its declared dependencies: no Node built-in, no server module', () => {
    const dependencies = Object.keys(manifest.dependencies ?? {});
    for (const file of ['dist/index.mjs', 'dist/index.js']) {
      const code = readFileSync(path.join(root, file), 'utf8');
      const imported = [...code.matchAll(/(?:from\s+|require\()["']([^"']+)["']/g)].map((m) => m[1]);
      expect(imported.length).toBeGreaterThan(0);
      expect(imported.filter((name) => !dependencies.includes(name))).toEqual([]);
      expect(code).not.toMatch(/\bprocess\.|node:|typeorm|type-graphql/);
    }
  });

  it('sends the documents codegen generated as plain strings: no GraphQL runtime or document AST in the bundle', () => {
    for (const file of ['dist/index.mjs', 'dist/index.js']) {
      const code = readFileSync(path.join(root, file), 'utf8');
      expect(code).toContain('query UpliftResolve($user: UserContextInput!)');
      expect(code).toContain('mutation UpliftTrackEvents($events: [EventInput!]!)');
      expect(code).not.toMatch(/"kind":\s*"Document"|kind:\s*"Document"|GraphQLError/);
    }
  });

  it('has no dependency on the server package', () => {
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).toEqual(['semver']);
  });
});
