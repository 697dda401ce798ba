import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration of an app's browser tests (`<app>/e2e/*.e2e.test.ts`, headless
 * Chromium through playwright-core): one file at a time (they share a browser and a server),
 * hang-guard timeouts only, and the run summary reporter so `.ci/run` adds them up.
 *
 * @param appDir the app's folder, e.g. `new URL('..', import.meta.url)` from `<app>/e2e/`.
 */
export function e2eConfig(appDir: URL) {
  return defineConfig({
    root: fileURLToPath(appDir),
    test: {
      include: ['e2e/**/*.e2e.test.ts'],
      environment: 'node',
      testTimeout: 180_000,
      hookTimeout: 120_000,
      fileParallelism: false,
      reporters: ['default', fileURLToPath(new URL('./summary-reporter.ts', import.meta.url))],
    },
  });
}
