import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const pkg = (path: string) => here(`./packages/${path}`);

/**
 * Tests import packages by their public names; these aliases point them at the sources so
 * `pnpm test` needs no build step for library code.
 */
const sourceAliases = [
  { find: /^@factoredui\/core\/testing$/, replacement: pkg('core/src/testing/index.ts') },
  { find: /^@factoredui\/core\/openfeature$/, replacement: pkg('core/src/openfeature/index.ts') },
  { find: /^@factoredui\/core$/, replacement: pkg('core/src/index.ts') },
  { find: /^@factoredui\/store-memory$/, replacement: pkg('store-memory/src/index.ts') },
  {
    find: /^@factoredui\/store-supabase\/migrate$/,
    replacement: pkg('store-supabase/src/migrate.ts'),
  },
  { find: /^@factoredui\/store-supabase$/, replacement: pkg('store-supabase/src/index.ts') },
  { find: /^@factoredui\/react\/spec$/, replacement: pkg('react/src/spec/index.ts') },
  { find: /^@factoredui\/react$/, replacement: pkg('react/src/index.ts') },
  { find: /^@factoredui\/sdui-react$/, replacement: pkg('sdui-react/src/index.ts') },
  { find: /^@factoredui\/react-native$/, replacement: pkg('react-native/src/index.ts') },
];

/**
 * @factoredui/react-native's tests: `react-native` resolves to the package's test double
 * (packages/react-native/test/react-native), because the real module is Flow source for Metro
 * and native modules, which Node cannot load; `@testing-library/react-native` renders on
 * `test-renderer` against it. See packages/react-native/README.md ("Testing").
 */
function reactNativeProject(): TestProjectInlineConfiguration {
  return {
    extends: true,
    resolve: {
      alias: [
        { find: /^react-native$/, replacement: pkg('react-native/test/react-native/index.tsx') },
      ],
    },
    test: {
      name: 'react-native',
      include: ['packages/react-native/{src,test}/**/*.test.{ts,tsx}'],
      // The testing library is CommonJS loaded by Node: its `require('react-native')` is
      // pointed at the same test double by this setup file.
      setupFiles: [pkg('react-native/test/setup.ts')],
      env: { RNTL_SKIP_AUTO_DETECT_FAKE_TIMERS: 'true' },
    },
  };
}

/**
 * The React 18 leg of the matrix: the React packages' tests again, with `react` and `react-dom`
 * resolved to the React 18 copies installed as `react-18` / `react-dom-18` (npm aliases,
 * devDependencies of @factoredui/react).
 */
function react18Project(): TestProjectInlineConfiguration {
  const reactPackageJson = pkg('react/package.json');
  const fromReactPackage = createRequire(reactPackageJson);
  const dir = (name: string) =>
    fileURLToPath(new URL('.', `file://${fromReactPackage.resolve(`${name}/package.json`)}`));
  const react18 = dir('react-18');
  const reactDom18 = dir('react-dom-18');
  return {
    extends: true,
    resolve: {
      alias: [
        { find: /^react$/, replacement: `${react18}index.js` },
        { find: /^react\/(.*)$/, replacement: `${react18}$1` },
        { find: /^react-dom$/, replacement: `${reactDom18}index.js` },
        { find: /^react-dom\/(.*)$/, replacement: `${reactDom18}$1` },
      ],
    },
    test: {
      name: 'react18',
      include: [
        'packages/react/{src,test}/**/*.test.{ts,tsx}',
        'packages/sdui-react/{src,test}/**/*.test.{ts,tsx}',
      ],
      // Let Vite resolve these libraries' own `react` imports through the aliases above.
      server: { deps: { inline: [/@testing-library\/react/] } },
      // react-dom 18 is CommonJS and requires `react` itself; point that at React 18 too.
      setupFiles: [pkg('react/test/setup-react18.ts')],
      env: { FACTOREDUI_EXPECT_REACT: '18', FACTOREDUI_REACT_PACKAGE_JSON: reactPackageJson },
    },
  };
}

/** Console output that tests cannot avoid and that says nothing about our code. */
const KNOWN_HARMLESS_LOGS = [
  // supabase-js warns once per client on Node 20, which our engines range still supports
  // (Node 20 is maintained until April 2026 and is what this project's machines run).
  'Node.js 20 and below are deprecated',
];

/**
 * One vitest configuration for the whole workspace, one run, one summary: the `default`
 * project (every package, React 19) and the `react18` project. Tests that need a DOM opt in per
 * file with `// @vitest-environment jsdom`.
 */
export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**', '**/e2e/**'],
    // Timeouts only catch hangs; they never measure speed. On a shared 2-core machine at load
    // 20 a test can take 10× its idle time, so they are far above any test's idle duration.
    testTimeout: 120_000,
    hookTimeout: 240_000,
    globalSetup: [pkg('store-supabase/test/harness/global-setup.ts')],
    reporters: ['default', here('./scripts/test/summary-reporter.ts')],
    onConsoleLog: (log) => !KNOWN_HARMLESS_LOGS.some((known) => log.includes(known)),
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/{src,test}/**/*.test.{ts,tsx}', 'apps/*/src/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/e2e/**', 'packages/react-native/**'],
        },
      },
      react18Project(),
      reactNativeProject(),
    ],
  },
});
