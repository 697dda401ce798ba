import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS + declarations for each entry, no bundled
 * dependencies, tree-shakeable output.
 *
 * Declarations are not compiled here from the sources: the package's `build` script runs
 * `tsc -b tsconfig.build.json` first, which type-checks `src/` once and writes its declarations
 * to `.tsbuild/`; tsup only bundles those into one `.d.ts` / `.d.cts` per entry. The
 * `typecheck` task (`tsc -b tsconfig.json`, which references the build project) then finds the
 * sources already checked and checks only the tests and benchmarks.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: { entry: declarationEntries(entry) },
    sourcemap: true,
    clean: true,
    treeshake: true,
    target: 'es2022',
    splitting: true,
    ...overrides,
  });
}

/** `{ index: 'src/index.ts' }` → `{ index: '.tsbuild/index.d.ts' }` (tsc's declaration output). */
export function declarationEntries(entry: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entry).map(([name, source]) => [
      name,
      source.replace(/^src\//, '.tsbuild/').replace(/\.tsx?$/, '.d.ts'),
    ]),
  );
}
