import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { createPGliteDatabase, harnessFor } from './harness/databases.js';

// The whole contract on PGlite (PostgreSQL in WebAssembly): no server needed.
runStoreConformanceSuite({
  name: 'store-supabase (direct SQL, PGlite)',
  createHarness: async () => harnessFor(await createPGliteDatabase()),
});
