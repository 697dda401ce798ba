import type { FactoredStore, StoreIdentity } from '@factoredui/core';
import { createSqlStore } from '../sql-store.js';
import type { SupabaseClientLike } from './client.js';
import { createSupabaseGateway, type SupabaseGatewayOptions } from './gateway.js';

/** Options of {@link createSupabaseStore}. */
export interface SupabaseStoreOptions extends SupabaseGatewayOptions {
  /**
   * `'service'` when the client was created with the service-role key (server jobs, the
   * CLI): `getIdentity()` then answers without a round trip. Without it, the identity is the
   * signed-in user of `client.auth` or, with no session, whatever the API says the key is
   * (`anon`, or `service` for a service-role key).
   */
  role?: 'service';
}

/**
 * A {@link FactoredStore} over Supabase through supabase-js v2. Every method is one call of a
 * `factoredui` SQL function (`client.schema('factoredui').rpc(...)`), executed by PostgREST
 * under the caller's role and JWT, so row-level security decides what a user sees and writes;
 * `subscribe` uses Supabase Realtime (`postgres_changes` on the factoredui tables).
 *
 * The `factoredui` schema must be exposed by the API (Project Settings -> API -> Exposed
 * schemas, or `schemas` in `supabase/config.toml`) and the migrations applied
 * (`npx factoredui init`, then `supabase db push`).
 *
 * Events are written by the `insert_events` function rather than a table upsert with
 * `ignoreDuplicates`: it validates the batch and its sessions and inserts it in one statement,
 * answers with `{ inserted, duplicates }` (an upsert cannot tell how many rows were skipped
 * without selecting them back), and needs no direct INSERT grant on the events table.
 *
 * @example
 * ```ts
 * import { createClient } from '@supabase/supabase-js';
 * import { createSupabaseStore } from '@factoredui/store-supabase';
 *
 * const supabase = createClient(SUPABASE_URL, SUPABASE_ANON_KEY);
 * const store = createSupabaseStore(supabase); // acts as the signed-in user
 * ```
 */
export function createSupabaseStore(
  client: SupabaseClientLike,
  options: SupabaseStoreOptions = {},
): FactoredStore {
  const store = createSqlStore(createSupabaseGateway(client, options));
  const serverIdentity = store.getIdentity.bind(store);
  store.getIdentity = async (): Promise<StoreIdentity> => {
    if (options.role === 'service') return { role: 'service', userId: null };
    const session = await readSession(client);
    if (session) return { role: 'user', userId: session.user.id };
    return serverIdentity();
  };
  return store;
}

async function readSession(client: SupabaseClientLike) {
  try {
    const { data, error } = await client.auth.getSession();
    return error ? null : data.session;
  } catch {
    // A client created with the `accessToken` option has no auth API; the server knows.
    return null;
  }
}
