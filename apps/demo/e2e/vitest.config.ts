import { e2eConfig } from '../../../scripts/test/e2e-config.js';

/**
 * End-to-end tests of the built demo in headless Chromium (`pnpm --filter demo test:e2e`,
 * after `pnpm --filter demo build`; the root `pnpm test:e2e` does both).
 */
export default e2eConfig(new URL('..', import.meta.url));
