import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The `factoredui` bin as installed (it runs the built `dist/cli.js`). */
export const CLI_PATH = fileURLToPath(new URL('../../bin/factoredui.js', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * A hang guard, not a speed limit: a run still going after this long is killed and reported as
 * such. A loaded machine makes runs slower, never this slow.
 */
const HANG_GUARD_MS = 600_000;

/** What a CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Connection variables that must not leak from the test environment into a CLI run. */
const CONNECTION_ENV = [
  'DATABASE_URL',
  'SUPABASE_URL',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_ANON_KEY',
  'FACTOREDUI_SIGNING_KEY',
  'FACTOREDUI_SIGNING_KEY_ID',
];

/**
 * Runs the built binary with `node` (asynchronously, so an HTTP endpoint served by the test
 * process keeps answering). Only `env` decides connection variables.
 */
export function runBuiltCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(
      `${BUILT_CLI} does not exist: build the package first (pnpm turbo run build --filter=@factoredui/store-supabase...).`,
    );
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !CONNECTION_ENV.includes(key)) env[key] = value;
  }
  Object.assign(env, options.env ?? {});
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { cwd: options.cwd, env, timeout: HANG_GUARD_MS },
      (error, stdout, stderr) => {
        if (error?.killed) {
          const note = `factoredui ${args.join(' ')} was killed after ${HANG_GUARD_MS} ms (hang guard)`;
          resolve({ code: -1, stdout, stderr: `${stderr}\n${note}` });
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
