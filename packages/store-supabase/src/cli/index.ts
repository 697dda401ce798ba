#!/usr/bin/env node
/**
 * The `factoredui` command-line tool (bin of `@factoredui/store-supabase`).
 *
 * @packageDocumentation
 */
import { runCli } from './run.js';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`factoredui: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
