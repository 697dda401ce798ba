import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { CHROMIUM_ARGS } from '../../../scripts/test/chromium.js';

/** The demo app's folder. */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Serves the production build (`dist/`) with `vite preview` on an ephemeral port. */
export async function startPreview(): Promise<{ server: PreviewServer; url: string }> {
  if (!existsSync(join(APP_DIR, 'dist', 'index.html')))
    throw new Error(
      'apps/demo/dist is missing: run `pnpm --filter demo build` first (or the root `pnpm test:e2e`).',
    );
  const server = await preview({
    root: APP_DIR,
    configFile: join(APP_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { port: 0, strictPort: false, host: '127.0.0.1', open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a local URL');
  return { server, url };
}

/** Launches Chromium with a fresh profile directory; `close` removes the profile. */
export async function launchBrowser(): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  const userDataDir = await mkdtemp(join(tmpdir(), 'factoredui-demo-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
