/**
 * The engine is a boundary: the SDK package bundles this folder for Node and browsers, so it may
 * import only its own files and the few pure libraries listed here, never TypeORM, type-graphql,
 * pg, a store or a `node:` module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ALLOWED_PACKAGES = new Set(['semver']);
const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? match[4]);
}

const engineFiles = readdirSync(__dirname).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.fixture.ts'));

describe('the evaluation engine boundary', () => {
  it('finds the engine files and their imports', () => {
    expect(engineFiles).toEqual(expect.arrayContaining(['index.ts', 'evaluate.ts', 'hash.ts', 'targeting.evaluate.ts', 'entitlements.ts']));
    expect(importsOf(path.join(__dirname, 'evaluate.ts'))).toEqual(expect.arrayContaining(['./targeting.evaluate', './hash']));
  });

  it.each(engineFiles)('%s imports only engine files and pure libraries', (name) => {
    for (const specifier of importsOf(path.join(__dirname, name))) {
      if (specifier.startsWith('.')) {
        // Relative imports stay inside the folder.
        expect({ specifier, inside: !path.relative(__dirname, path.resolve(__dirname, specifier)).startsWith('..') }).toEqual({ specifier, inside: true });
      } else {
        expect({ specifier, allowed: ALLOWED_PACKAGES.has(specifier) }).toEqual({ specifier, allowed: true });
      }
    }
  });

  it('rejects what it must reject', () => {
    // The pattern itself, on the kinds of import the rule is about.
    const sample = ["import { DataSource } from 'typeorm';", "import http from 'node:http';", "export * from '../assignment/snapshot';", "const x = require('pg');"].join('\n');
    expect([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4])).toEqual(['typeorm', 'node:http', '../assignment/snapshot', 'pg']);
  });
});
