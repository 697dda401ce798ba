import type { PGlite } from '@electric-sql/pglite';
import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { createSupabaseStore } from '@factoredui/store-supabase';
import { dumpTables } from './harness/tables.js';
import { type PostgrestServer, startPostgrestServer } from './support/postgrest.js';
import { anonClient, serviceClient, userClient } from './support/postgrest-clients.js';
import { createMigratedPglite, resetData } from './support/postgrest-db.js';

// The whole store contract through real supabase-js, real HTTP and the SQL functions under
// row-level security (PGlite behind a PostgREST-compatible endpoint), with `subscribe` over
// the endpoint's Realtime (postgres_changes) emulation.
let db: PGlite | undefined;
let server: PostgrestServer | undefined;

runStoreConformanceSuite({
  name: 'store-supabase (supabase-js over PostgREST, PGlite)',
  createHarness: async () => {
    db = await createMigratedPglite(undefined, { realtime: true });
    server = await startPostgrestServer({ db, realtime: db });
    const api = server;
    const database = db;
    return {
      user: async (userId) => createSupabaseStore(await userClient(api, userId)),
      service: async () => createSupabaseStore(serviceClient(api), { role: 'service' }),
      anon: async () => createSupabaseStore(anonClient(api)),
      tables: () => dumpTables(database),
      reset: () => resetData(database),
      close: async () => {
        await api.close();
        await database.close();
      },
    };
  },
});
