import type { PGlite } from '@electric-sql/pglite';
import { pgliteFromSnapshot } from '../harness/pglite-snapshot.js';

/**
 * A PGlite database (in memory, or on disk at `dataDir`) with the factoredui schema, started
 * from a prepared snapshot. With `realtime`, the publication `supabase_realtime` existed before
 * the migrations ran, as on Supabase, so they added their tables to it.
 */
export function createMigratedPglite(
  dataDir?: string,
  options: { realtime?: boolean } = {},
): Promise<PGlite> {
  return pgliteFromSnapshot(options.realtime ? 'migrated-realtime' : 'migrated', dataDir);
}
/** Removes every row the store writes (the factor catalog, which migrations seed, stays). */
export async function resetData(db: PGlite): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = 'factoredui'
        and tablename not in ('factor_catalog', 'schema_migrations')`,
  );
  if (rows.length === 0) return;
  await db.exec(
    `truncate ${rows.map((r) => `factoredui.${r.name}`).join(', ')} restart identity cascade`,
  );
}
