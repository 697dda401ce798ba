import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../../scripts/test/chromium.js';

/** The example's folder. */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts the production build with `next start` on a free port (with the inspection route on)
 * and resolves once it answers; `close` stops it.
 */
export async function startApp(): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(APP_DIR, '.next', 'BUILD_ID')))
    throw new Error(
      'apps/next-example/.next is missing: run `pnpm --filter next-example build` first (or the root `pnpm test:e2e`).',
    );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(APP_DIR, 'node_modules', 'next', 'dist', 'bin', 'next'),
      'start',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    {
      cwd: APP_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FACTOREDUI_EXAMPLE_INSPECT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`next start exited (${code}):\n${output}`))),
  );
  // Ready when the inspection route answers (it needs the app, not only the port).
  const ready = (async () => {
    for (;;) {
      try {
        const response = await fetch(`${url}/api/inspect?userId=probe`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => {});
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Launches headless Chromium (Debian's package, or CHROMIUM_PATH); each context is a visitor. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
