import { rmSync, writeFileSync } from 'node:fs';
import type { Options } from 'tsup';
import { declarationEntries, packageBuild } from '../../tsup.base';

const entries = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  openfeature: 'src/openfeature/index.ts',
};

const base = packageBuild(entries) as Options;

// The configs below write into one dist/, so it is cleaned once here, not per config.
rmSync('dist', { recursive: true, force: true });

/**
 * Core's ESM build is published **unbundled**: one file per source module (`dist/index.js` is
 * `src/index.ts`, and so on), so that with `sideEffects: false` an app's bundler drops every
 * module it does not import, as it would from the sources. A flattened `index.js` with shared
 * chunks keeps module-level statements (tables, `Object.freeze`, `new Map`) and imports of
 * CommonJS dependencies that bundlers cannot drop. CommonJS (no tree-shaking anyway) and the
 * declaration files stay bundled per entry.
 */
const configs: Options[] = [
  // ESM, one file per module. `testing.js` and `openfeature.js` re-export their folders.
  {
    ...base,
    entry: ['src/**/*.ts', '!src/testing/fixtures/**'],
    format: ['esm'],
    bundle: false,
    splitting: false,
    treeshake: false,
    dts: false,
    clean: false,
    async onSuccess() {
      for (const name of ['testing', 'openfeature'])
        writeFileSync(`dist/${name}.js`, `export * from './${name}/index.js';\n`);
    },
  },
  // The test fixtures import JSON, which Node's ESM cannot load as is: bundled, in place.
  {
    ...base,
    entry: { 'testing/fixtures/factors/index': 'src/testing/fixtures/factors/index.ts' },
    format: ['esm'],
    splitting: false,
    dts: false,
    clean: false,
  },
  { ...base, format: ['cjs'], dts: false, clean: false },
  {
    ...base,
    format: ['esm', 'cjs'],
    dts: { entry: declarationEntries(entries), only: true },
    clean: false,
  },
];

export default configs;
