import { ensureAllSnapshots } from './pglite-snapshot.js';
import { serverTemplateName } from './server-template.js';

/**
 * vitest global setup: prepares the databases SQL test files start from, once per run and
 * before any worker starts — the PGlite snapshots (cached on disk across runs until a migration
 * changes) and, when `DATABASE_URL` is set, the migrated template database on the server.
 */
export default async function setup(): Promise<void> {
  await ensureAllSnapshots();
  if (process.env.DATABASE_URL) await serverTemplateName(process.env.DATABASE_URL);
}
