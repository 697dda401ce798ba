import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/**
 * One vitest configuration for the whole workspace. Tests import packages by their public
 * names; these aliases point them at the sources so `pnpm test` needs no build step for
 * library code. Tests that need a DOM opt in per file with `// @vitest-environment jsdom`.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@factoredui\/core\/testing$/, replacement: pkg('core/src/testing/index.ts') },
      {
        find: /^@factoredui\/core\/openfeature$/,
        replacement: pkg('core/src/openfeature/index.ts'),
      },
      { find: /^@factoredui\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@factoredui\/store-memory$/, replacement: pkg('store-memory/src/index.ts') },
      {
        find: /^@factoredui\/store-supabase\/migrate$/,
        replacement: pkg('store-supabase/src/migrate.ts'),
      },
      { find: /^@factoredui\/store-supabase$/, replacement: pkg('store-supabase/src/index.ts') },
      { find: /^@factoredui\/react$/, replacement: pkg('react/src/index.ts') },
      { find: /^@factoredui\/sdui-react$/, replacement: pkg('sdui-react/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.{ts,tsx}',
      'packages/*/test/**/*.test.{ts,tsx}',
      'apps/*/src/**/*.test.{ts,tsx}',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', '**/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
