import { defineConfig } from 'tsup';

/**
 * One bundle per format, each holding the server's engine compiled from its source
 * (../src/engine): the package has no copy of it and no dependency on the server.
 * `neutral`: no Node built-ins are assumed, so the same files run in browsers.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2020',
  dts: true,
  clean: true,
  sourcemap: true,
  tsconfig: 'tsconfig.json',
});
