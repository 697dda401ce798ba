import { e2eConfig } from '../../../scripts/test/e2e-config.js';

/**
 * End-to-end tests of the built example (`next build`, then `next start`) in headless Chromium:
 * `pnpm --filter next-example test:e2e` after `pnpm --filter next-example build` (the root
 * `pnpm test:e2e` does both).
 */
export default e2eConfig(new URL('..', import.meta.url));
