import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { createSupabaseStore } from '@factoredui/store-supabase';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { describeWhen } from './harness/requirements.js';
import { dumpTables } from './harness/tables.js';
import { testClientOptions } from './support/postgrest-clients.js';

// The same contract against a REAL Supabase project, through supabase-js. It needs a
// disposable project with the factoredui migrations applied and the schema exposed:
//   SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY  the API and its keys;
//   SUPABASE_DB_URL  the project's Postgres connection string (owner role): before each test
//     the factoredui tables are TRUNCATEd, which only the owner may do (the log and specs are
//     append-only for every API role). Never point this at a project whose data matters.
const env = {
  url: process.env.SUPABASE_URL,
  anonKey: process.env.SUPABASE_ANON_KEY,
  serviceKey: process.env.SUPABASE_SERVICE_ROLE_KEY,
  dbUrl: process.env.SUPABASE_DB_URL,
};
const missing = Object.entries({
  SUPABASE_URL: env.url,
  SUPABASE_ANON_KEY: env.anonKey,
  SUPABASE_SERVICE_ROLE_KEY: env.serviceKey,
  SUPABASE_DB_URL: env.dbUrl,
})
  .filter(([, value]) => !value)
  .map(([name]) => name);

describeWhen(
  missing.length === 0,
  `needs a real, disposable Supabase project: set ${missing.join(', ')}`,
)('live Supabase', () => {
  runStoreConformanceSuite({
    name: 'store-supabase (supabase-js, live Supabase)',
    createHarness: async () => {
      const url = env.url ?? '';
      const anonKey = env.anonKey ?? '';
      const admin = createClient(url, env.serviceKey ?? '', testClientOptions);
      const pool = new pg.Pool({ connectionString: env.dbUrl, max: 1 });
      const users = new Map<string, SupabaseClient>();

      /** A client signed in as `userId`, creating the auth user with that id the first time. */
      const signedIn = async (userId: string): Promise<SupabaseClient> => {
        const cached = users.get(userId);
        if (cached) return cached;
        const email = `factoredui-conformance-${userId}@example.com`;
        const password = `factoredui-${userId}`;
        const created = await admin.auth.admin.createUser({
          id: userId,
          email,
          password,
          email_confirm: true,
        });
        if (created.error && created.error.status !== 422) throw created.error;
        const client = createClient(url, anonKey, testClientOptions);
        const { error } = await client.auth.signInWithPassword({ email, password });
        if (error) throw error;
        users.set(userId, client);
        return client;
      };

      return {
        user: async (userId) => createSupabaseStore(await signedIn(userId)),
        service: async () => createSupabaseStore(admin, { role: 'service' }),
        anon: async () => createSupabaseStore(createClient(url, anonKey, testClientOptions)),
        tables: () => dumpTables(pool),
        reset: async () => {
          const { rows } = await pool.query<{ name: string }>(
            `select quote_ident(tablename) as name from pg_tables
              where schemaname = 'factoredui'
                and tablename not in ('factor_catalog', 'schema_migrations')`,
          );
          if (rows.length === 0) return;
          await pool.query(
            `truncate ${rows.map((r) => `factoredui.${r.name}`).join(', ')} restart identity cascade`,
          );
        },
        close: async () => {
          await Promise.all([...users.values()].map((client) => client.auth.signOut()));
          await pool.end();
        },
      };
    },
  });
});
