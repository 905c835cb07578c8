// `npm start`'s prestart: builds dist/ only when a source is newer than the last build, so that a
// built checkout starts at once while a fresh clone, a pull or an edit still gets a build. Plain
// JavaScript, so that checking costs no compiler.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
/** What tsconfig.build.json compiles, and what changes how it compiles. */
const SOURCES = ['src', 'migrations', 'scripts', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

function isSource(file) {
  if (file.endsWith('.json')) return true;
  return file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.fixture.ts');
}

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return isSource(entry) ? stat.mtimeMs : 0;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), 0);
}

const builtAt = fs.existsSync(stamp) && fs.existsSync(path.join(root, 'dist', 'src', 'main.js')) ? fs.statSync(stamp).mtimeMs : -1;
const changedAt = Math.max(...SOURCES.map((entry) => newestMtime(path.join(root, entry))));
if (builtAt >= changedAt) {
  process.stderr.write('dist/ is up to date with the sources: not rebuilding\n');
  process.exit(0);
}

process.stderr.write(builtAt < 0 ? 'Building dist/ (first build)\n' : 'Building dist/ (sources changed since the last build)\n');
// The stamp takes the time the build started: a file saved during the build makes the next start build again.
const startedAt = new Date();
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
fs.writeFileSync(stamp, `${startedAt.toISOString()}\n`);
fs.utimesSync(stamp, startedAt, startedAt);
