import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FactoredError } from '@factoredui/core';
import { mapSqlError } from '../errors.js';
import { execScript, type PostgresConnection } from './connection.js';

/** One SQL migration shipped with the package. */
export interface Migration {
  /** File name, e.g. `20260101000000_factoredui_schema.sql`; applied in name order. */
  name: string;
  /** The SQL text. */
  sql: string;
}

/**
 * The `supabase` folder shipped with this package (migrations and the plain-PostgreSQL
 * bootstrap), found by walking up from this module, so it works from `src/` and from `dist/`.
 */
export function supabaseDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'supabase', 'migrations'))) return join(dir, 'supabase');
    dir = dirname(dir);
  }
  throw new FactoredError(
    'internal',
    'could not find the supabase/migrations folder of @factoredui/store-supabase; reinstall the package.',
  );
}

/** The migrations shipped with the package, in the order they must run. */
export function readMigrations(): Migration[] {
  const dir = join(supabaseDirectory(), 'migrations');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** The compatibility bootstrap for plain PostgreSQL and PGlite (roles, `auth` schema). */
export function readBootstrap(): string {
  return readFileSync(join(supabaseDirectory(), 'bootstrap', 'plain-postgres.sql'), 'utf8');
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Run the compatibility bootstrap first (roles `anon`, `authenticated`, `service_role`, schema
   * `auth`). Needed on plain PostgreSQL and PGlite; never on Supabase, which has them. Default
   * `false`.
   */
  bootstrap?: boolean;
}

/**
 * Applies the factoredui migrations that were not applied yet, recording each in
 * `factoredui.schema_migrations`. For plain PostgreSQL, PGlite and tests; on Supabase, copy the
 * files into `supabase/migrations` (`npx factoredui init`) and let the Supabase CLI apply them.
 * Connect as the owner role (e.g. `postgres`). Returns the names applied now.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import { migrate } from '@factoredui/store-supabase/migrate';
 * const db = new PGlite();
 * await migrate(db, { bootstrap: true });
 * ```
 */
export async function migrate(
  sql: PostgresConnection,
  options: MigrateOptions = {},
): Promise<string[]> {
  try {
    if (options.bootstrap) await execScript(sql, readBootstrap());
    await execScript(
      sql,
      `create schema if not exists factoredui;
       create table if not exists factoredui.schema_migrations (
         name text primary key, applied_at timestamptz not null default now());`,
    );
    const { rows } = await sql.query('select name from factoredui.schema_migrations');
    const done = new Set(rows.map((row) => String(row.name)));
    const applied: string[] = [];
    for (const migration of readMigrations()) {
      if (done.has(migration.name)) continue;
      await execScript(
        sql,
        `begin;\n${migration.sql}\n;insert into factoredui.schema_migrations (name) values ('${migration.name.replace(/'/g, "''")}');\ncommit;`,
      );
      applied.push(migration.name);
    }
    return applied;
  } catch (error) {
    await sql.query('rollback').catch(() => undefined);
    throw mapSqlError(error, 'migrate');
  }
}
