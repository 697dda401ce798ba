import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests of the built example (`next build`, then `next start`) in headless Chromium:
 * `pnpm --filter next-example test:e2e` after `pnpm --filter next-example build` (the root
 * `pnpm test:e2e` does both).
 */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: [
      'default',
      fileURLToPath(new URL('../../../scripts/test/summary-reporter.ts', import.meta.url)),
    ],
  },
});
