import type { StoreChange, StoreTopic } from '@factoredui/core';

/**
 * Everything a transport must provide to run the SQL store: a way to call one function of
 * schema `factoredui` by name with named arguments, and optionally change notifications.
 *
 * Two gateways ship: the direct-SQL one (`createPostgresGateway`, for `pg` and PGlite) and the
 * supabase-js one (`client.schema('factoredui').rpc(fn, args)`). Both call the same SQL
 * functions, listed in `docs/sql-api.md`.
 */
export interface SqlGateway {
  /**
   * Calls `factoredui.<fn>(<name> => <value>, ...)` as the gateway's identity and resolves with
   * the function's `jsonb` result, parsed. Object and array values are sent as JSON.
   *
   * Rejects with an error carrying the PostgreSQL SQLSTATE in `code` (as `pg`, PGlite and
   * PostgREST do); the store maps it with {@link mapSqlError}. Gateways may also reject with a
   * `FactoredError` directly (e.g. `unavailable` for a network failure).
   */
  call(fn: string, args?: Readonly<Record<string, unknown>>): Promise<unknown>;

  /**
   * Calls `listener` after each committed change on `topic`; returns an unsubscribe function.
   * Leave undefined when the transport has no change feed (callers then poll).
   */
  subscribe?(topic: StoreTopic, listener: (change: StoreChange) => void): () => void;
}
