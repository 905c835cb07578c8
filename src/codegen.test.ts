import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './common/paths';

/**
 * The typed documents of the SDK, the client examples and the results pages are generated from
 * their .graphql files and schema/schema.graphql (itself checked against the code by
 * src/server/schema.test.ts), and committed: these fail while one is stale, and show that codegen
 * refuses an operation the schema cannot answer. The CLI runs in its own process: it loads ES
 * modules, which Node 20.19 requires and Jest does not.
 */
const CLI = path.join(projectRoot, 'node_modules', '.bin', 'graphql-codegen');
const WEB_DIR = path.join(projectRoot, 'src', 'pages', 'web');

async function codegen(configFile: string, ...flags: string[]): Promise<{ status: number; output: string }> {
  try {
    // Not NODE_ENV=test (Jest's), under which the CLI prints nothing at all, errors included.
    const env = { ...process.env, NODE_ENV: 'development' };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, '--config', configFile, '--errors-only', ...flags], { cwd: projectRoot, env });
    return { status: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('npm run codegen', () => {
  let scratch: string;
  let check: Promise<{ status: number; output: string }>;
  let broken: Promise<{ status: number; output: string }>;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-codegen-'));
    fs.writeFileSync(path.join(scratch, 'broken.graphql'), 'query Broken($key: String!) { experiment(key: $key) { key noSuchField } }\n');
    // The pages' output of the real configuration, on a broken document.
    fs.writeFileSync(
      path.join(scratch, 'codegen.ts'),
      `import config from ${JSON.stringify(path.join(projectRoot, 'codegen'))};
export default { ...config, generates: { ${JSON.stringify(path.join(scratch, 'out.js'))}: { ...config.generates['src/pages/web/operations.generated.js'], documents: ${JSON.stringify(path.join(scratch, 'broken.graphql'))} } } };\n`,
    );
    // Both at once: each CLI run spends most of its time starting.
    check = codegen('codegen.ts', '--check');
    broken = codegen(path.join(scratch, 'codegen.ts'));
  });
  afterAll(async () => {
    await Promise.allSettled([check, broken]);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has written what it generates now (run `npm run codegen` after changing a .graphql file or the schema)', async () => {
    const { status, output } = await check;
    // --check exits 1 listing the stale files; any other failure shows all it printed.
    const problem = status === 0 ? null : (output.match(/stale files were detected:[\s\S]*/)?.[0].trim() ?? output);
    expect({ status, problem }).toEqual({ status: 0, problem: null });
  });

  it('refuses an operation that asks for a field the schema does not have', async () => {
    const { status, output } = await broken;
    expect(status).toBe(1);
    expect(output).toMatch(/Cannot query field "noSuchField" on type "Experiment"/);
    expect(fs.existsSync(path.join(scratch, 'out.js'))).toBe(false);
  });
});

describe('the results pages', () => {
  it('send only documents codegen generated: no GraphQL written inline', () => {
    const pages = fs.readdirSync(WEB_DIR).filter((file) => file.endsWith('.js') && file !== 'operations.generated.js' && file !== 'api.js');
    const generated = new Set([...fs.readFileSync(path.join(WEB_DIR, 'operations.generated.js'), 'utf8').matchAll(/^export const (\w+) =/gm)].map((m) => m[1]));
    expect(generated.size).toBeGreaterThanOrEqual(10);
    let calls = 0;
    for (const page of pages) {
      const code = fs.readFileSync(path.join(WEB_DIR, page), 'utf8');
      expect({ page, inline: code.match(/[`'"]\s*(query|mutation|fragment|subscription)\b[^`'"]*/g) }).toEqual({ page, inline: null });
      for (const [, argument] of code.matchAll(/\bgql\(\s*([^,)\s]+)/g)) {
        calls++;
        expect({ page, argument, generated: generated.has(argument) }).toEqual({ page, argument, generated: true });
      }
    }
    expect(calls).toBe(10);
  });
});
