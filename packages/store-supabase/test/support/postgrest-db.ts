import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The shipped migrations in apply order, after the plain-PostgreSQL compatibility bootstrap. */
export function migrationScripts(): string[] {
  const dir = `${PACKAGE_DIR}supabase/migrations/`;
  return [
    readFileSync(`${PACKAGE_DIR}supabase/bootstrap/plain-postgres.sql`, 'utf8'),
    ...readdirSync(dir)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => readFileSync(dir + file, 'utf8')),
  ];
}

/** Applies the bootstrap and every migration to `db`. */
export async function migrate(db: PGlite): Promise<void> {
  for (const script of migrationScripts()) await db.exec(script);
}

/** A PGlite database (in memory, or on disk at `dataDir`) with the factoredui schema. */
export async function createMigratedPglite(dataDir?: string): Promise<PGlite> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await migrate(db);
  return db;
}

/** Removes every row the store writes (the factor catalog, which migrations seed, stays). */
export async function resetData(db: PGlite): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = 'factoredui' and tablename <> 'factor_catalog'`,
  );
  if (rows.length === 0) return;
  await db.exec(
    `truncate ${rows.map((r) => `factoredui.${r.name}`).join(', ')} restart identity cascade`,
  );
}
