/**
 * Chromium flags for a quiet, reproducible headless run in containers and CI (Debian's
 * `chromium`, driven by playwright-core), shared by every app's browser tests.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
