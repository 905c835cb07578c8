/**
 * The built package as an app gets it: ES module and CommonJS entry points with types, the
 * engine inside (no import of the server's source), and nothing Node-only, so browsers load it.
 * `@uplift/sdk/openfeature` imports its optional peer `@openfeature/server-sdk` and shares the
 * client with the main entry.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/** A declaration file with the shared declaration chunks it imports (`./client-….js` is `client-….d.ts`). */
function declarationsOf(file: string): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  const chunks = [...text.matchAll(/from '\.\/([^']+)\.(m?)js'/g)].map((m) => readFileSync(path.join(root, path.dirname(file), `${m[1]}.d.${m[2]}ts`), 'utf8'));
  return [text, ...chunks].join('\n');
}

/** A built entry's code with the chunks it imports. */
function codeOf(entry: string): string {
  const text = readFileSync(path.join(root, 'dist', entry), 'utf8');
  const chunks = [...text.matchAll(/(?:from\s+|require\()["']\.\/([^"']+)["']/g)].map((m) => readFileSync(path.join(root, 'dist', m[1]), 'utf8'));
  return [text, ...chunks].join('\n');
}

describe('the built package', () => {
  it('loads as an ES module and as CommonJS through its exports', () => {
    const esm = run(`import * as sdk from '@uplift/sdk';\n${PROBE}`, 'module');
    expect(esm).toMatchObject({ status: 0, out: '["function","function",true]' });
    const cjs = run(`const sdk = require('@uplift/sdk');\n${PROBE}`, 'commonjs');
    expect(cjs).toMatchObject({ status: 0, out: '["function","function",true]' });
  });

  it('serves the OpenFeature provider from @uplift/sdk/openfeature in both formats, on the main entry’s own client class', () => {
    const probe = `const provider = new of.UpliftProvider({ url: 'http://127.0.0.1:9', key: 'k', refreshIntervalMs: 0 });
console.log(JSON.stringify([provider.metadata.name, provider.runsOn, provider.client instanceof sdk.LocalUpliftClient]));
provider.onClose();`;
    const esm = run(`import * as sdk from '@uplift/sdk';\nimport * as of from '@uplift/sdk/openfeature';\n${probe}`, 'module');
    expect(esm).toMatchObject({ status: 0, out: '["uplift","server",true]' });
    const cjs = run(`const sdk = require('@uplift/sdk');\nconst of = require('@uplift/sdk/openfeature');\n${probe}`, 'commonjs');
    expect(cjs).toMatchObject({ status: 0, out: '["uplift","server",true]' });
  });

  it('ships type declarations for both', () => {
    for (const file of [manifest.exports['.'].import.types, manifest.exports['.'].require.types]) {
      const declarations = declarationsOf(file);
      expect(declarations).toMatch(/declare class LocalUpliftClient/);
      expect(declarations).toMatch(/interface ConfigSnapshot/);
    }
    for (const file of [manifest.exports['./openfeature'].import.types, manifest.exports['./openfeature'].require.types, manifest.typesVersions['*'].openfeature[0]]) {
      expect(declarationsOf(file)).toMatch(/declare class UpliftProvider implements Provider/);
    }
  });

  it('imports nothing but its declared dependencies and its own chunks: no Node built-in, no server module', () => {
    const files = readdirSync(path.join(root, 'dist')).filter((name) => /\.m?js$/.test(name));
    expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.js', 'openfeature.mjs', 'openfeature.js']));
    const imports = (file: string) => [...readFileSync(path.join(root, 'dist', file), 'utf8').matchAll(/(?:from\s+|require\()["']([^"']+)["']/g)].map((m) => m[1]);
    const dependencies = Object.keys(manifest.dependencies ?? {});
    for (const file of files) {
      const code = readFileSync(path.join(root, 'dist', file), 'utf8');
      const allowed = file.startsWith('openfeature.') ? [...dependencies, '@openfeature/server-sdk'] : dependencies;
      expect({ file, foreign: imports(file).filter((name) => !name.startsWith('./') && !allowed.includes(name)) }).toEqual({ file, foreign: [] });
      expect(code).not.toMatch(/\bprocess\.|node:|typeorm|type-graphql/);
    }
    expect(files.flatMap(imports)).toContain('semver');
    // Imported, never bundled: the app's OpenFeature is the one the provider registers with.
    expect(imports('openfeature.mjs')).toContain('@openfeature/server-sdk');
    expect(readFileSync(path.join(root, 'dist', 'openfeature.mjs'), 'utf8')).not.toMatch(/class OpenFeatureEventEmitter/);
  });

  it('has no dependency on the server package; OpenFeature is an optional peer', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['semver']);
    expect(manifest.peerDependencies).toEqual({ '@openfeature/server-sdk': expect.any(String) });
    expect(manifest.peerDependenciesMeta).toEqual({ '@openfeature/server-sdk': { optional: true } });
  });

  it('sends the documents codegen generated as plain strings: no GraphQL runtime or document AST in the bundle', () => {
    for (const entry of ['index.mjs', 'index.js']) {
      // The entry and the chunk it shares with the OpenFeature entry.
      const code = codeOf(entry);
      expect(code).toContain('query UpliftResolve($user: UserContextInput!)');
      expect(code).toContain('mutation UpliftTrackEvents($events: [EventInput!]!)');
      expect(code).not.toMatch(/"kind":\s*"Document"|kind:\s*"Document"|GraphQLError/);
    }
  });
});
