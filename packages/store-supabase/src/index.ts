/**
 * `@factoredui/store-supabase`: a {@link FactoredStore} on Supabase / PostgreSQL.
 *
 * - SQL migrations (schema `factoredui`, row-level security, the factor engine) ship in the
 *   package's `supabase/migrations` folder.
 * - Direct SQL transport: {@link createPostgresStore} over `pg` or PGlite, switching role and
 *   JWT claims per call exactly as PostgREST does.
 * - {@link createSqlStore} builds a store over any {@link SqlGateway} (the supabase-js transport
 *   is one).
 *
 * Node-only helpers (applying migrations to plain PostgreSQL / PGlite) live in
 * `@factoredui/store-supabase/migrate`.
 *
 * @packageDocumentation
 */
export { mapSqlError, sqlStateToCode } from './errors.js';
export type { SqlGateway } from './gateway.js';
export type {
  PGliteLike,
  PgClientLike,
  PgPoolClientLike,
  PgPoolLike,
  PostgresConnection,
  SqlQueryable,
  SqlRows,
} from './postgres/connection.js';
export {
  createPostgresGateway,
  createPostgresStore,
  type PostgresIdentity,
  type PostgresStoreOptions,
} from './postgres/gateway.js';
export { createSqlStore } from './sql-store.js';
export * from './supabase-js/index.js';
