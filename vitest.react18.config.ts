import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The React 18 leg of the test matrix: the React packages' tests again, with `react` and
 * `react-dom` resolved to the React 18 copies installed as `react-18` / `react-dom-18`
 * (npm aliases, devDependencies of @factoredui/react). `pnpm test` runs both legs.
 */
const reactPackageJson = fileURLToPath(new URL('./packages/react/package.json', import.meta.url));
const fromReactPackage = createRequire(reactPackageJson);
const dir = (name: string) =>
  fileURLToPath(new URL('.', `file://${fromReactPackage.resolve(`${name}/package.json`)}`));
const react18 = dir('react-18');
const reactDom18 = dir('react-dom-18');

const merged = mergeConfig(
  base,
  defineConfig({
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
      // Let Vite resolve these libraries' own `react` imports through the aliases above.
      server: { deps: { inline: [/@testing-library\/react/] } },
      // react-dom 18 is CommonJS and requires `react` itself; point that at React 18 too.
      setupFiles: [
        fileURLToPath(new URL('./packages/react/test/setup-react18.ts', import.meta.url)),
      ],
      env: { FACTOREDUI_EXPECT_REACT: '18', FACTOREDUI_REACT_PACKAGE_JSON: reactPackageJson },
    },
  }),
);

// mergeConfig concatenates arrays: replace the include list instead, so only React tests run.
merged.test = {
  ...merged.test,
  include: [
    'packages/react/test/**/*.test.{ts,tsx}',
    'packages/sdui-react/test/**/*.test.{ts,tsx}',
    'packages/react/src/**/*.test.{ts,tsx}',
    'packages/sdui-react/src/**/*.test.{ts,tsx}',
  ],
};

export default merged;
