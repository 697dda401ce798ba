import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { createServerDatabase, DATABASE_URL, harnessFor } from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

// The whole contract on a PostgreSQL server (CI: PostgreSQL 15), when DATABASE_URL is set.
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('PostgreSQL server', () => {
  runStoreConformanceSuite({
    name: 'store-supabase (direct SQL, PostgreSQL server)',
    createHarness: async () => harnessFor(await createServerDatabase('conformance')),
  });
});
