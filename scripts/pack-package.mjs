#!/usr/bin/env node
/**
 * Packs the package in the current directory once, into `.pack/<name>-<version>.tgz` (the
 * folder is emptied first, so it holds exactly this build's tarball). `pnpm pack` rewrites
 * `workspace:` ranges as publishing would. The package checks (publint, attw) and the consumer
 * smoke test all read this one tarball instead of packing again; turbo caches it (`pack` task).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';

rmSync('.pack', { recursive: true, force: true });
mkdirSync('.pack');
execFileSync('pnpm', ['pack', '--pack-destination', '.pack'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const [tarball] = readdirSync('.pack').filter((name) => name.endsWith('.tgz'));
if (!tarball) throw new Error('pnpm pack wrote no tarball into .pack/');
process.stdout.write(`.pack/${tarball}\n`);
