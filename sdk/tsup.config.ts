import { defineConfig } from 'tsup';

/**
 * One bundle per format and entry, each holding the server's engine compiled from its source
 * (../src/engine): the package has no copy of it and no dependency on the server.
 * `neutral`: no Node built-ins are assumed, so the same files run in browsers.
 * `openfeature` (`@uplift/sdk/openfeature`) is the OpenFeature provider; `@openfeature/server-sdk`
 * is its peer dependency, imported, never bundled. Code the entries share is split into a common
 * chunk in both formats, so that an app importing both gets one LocalUpliftClient, not two.
 */
export default defineConfig({
  entry: { index: 'src/index.ts', openfeature: 'src/openfeature.ts' },
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2020',
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  tsconfig: 'tsconfig.json',
});
