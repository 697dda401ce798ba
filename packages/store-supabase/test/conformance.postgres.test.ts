import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { describe, it } from 'vitest';
import { createServerDatabase, DATABASE_URL, harnessFor } from './harness/databases.js';

// The whole contract on a PostgreSQL server (CI: PostgreSQL 15), when DATABASE_URL is set.
if (DATABASE_URL) {
  runStoreConformanceSuite({
    name: 'store-supabase (direct SQL, PostgreSQL server)',
    createHarness: async () => harnessFor(await createServerDatabase('conformance')),
  });
} else {
  describe('store-supabase (direct SQL, PostgreSQL server)', () => {
    it.skip('skipped: set DATABASE_URL (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres) to run it', () => {});
  });
}
