#!/usr/bin/env node
/**
 * The package checks of the package in the current directory, on the tarball `pack` made
 * (`.pack/*.tgz`): publint (strict) and Are The Types Wrong (node16 profile: ESM, CJS and
 * types resolve for every entry point).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const tarballs = readdirSync('.pack').filter((name) => name.endsWith('.tgz'));
if (tarballs.length !== 1)
  throw new Error(`expected one tarball in .pack/, found ${tarballs.length}: run the pack task`);
const tarball = `.pack/${tarballs[0]}`;
execFileSync('publint', ['run', tarball, '--strict'], { stdio: 'inherit' });
execFileSync('attw', [tarball, '--profile', 'node16'], { stdio: 'inherit' });
