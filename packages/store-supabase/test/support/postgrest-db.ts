import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../../src/migrate.js';

/**
 * A PGlite database (in memory, or on disk at `dataDir`) with the factoredui schema. With
 * `realtime`, the publication `supabase_realtime` is created first, as on Supabase, so the
 * migrations add their tables to it.
 */
export async function createMigratedPglite(
  dataDir?: string,
  options: { realtime?: boolean } = {},
): Promise<PGlite> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  if (options.realtime) await db.exec('create publication supabase_realtime');
  await migrate(db, { bootstrap: true });
  return db;
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
