import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readBootstrap, readMigrations } from '../../src/migrate.js';

function pgliteVersion(): string {
  // The package's `exports` hide its package.json: find it above the resolved entry.
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

let cached: string | undefined;

/**
 * A short fingerprint of everything a prepared test database depends on: the bootstrap, every
 * migration (name and text) and the PGlite version. A changed migration changes it, so a
 * snapshot or template made from older migrations is never used.
 */
export function migrationsFingerprint(): string {
  if (cached) return cached;
  const hash = createHash('sha256');
  hash.update(pgliteVersion());
  hash.update(readBootstrap());
  for (const migration of readMigrations()) hash.update(migration.name).update(migration.sql);
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}
