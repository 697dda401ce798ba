import { runStoreConformanceSuite } from '@factoredui/core/testing';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryDatabase,
} from '@factoredui/store-memory';

let database: MemoryDatabase = createMemoryDatabase();

runStoreConformanceSuite({
  name: 'store-memory',
  createHarness: async () => ({
    user: async (userId) => createMemoryStore({ database, userId }),
    service: async () => createMemoryStore({ database, role: 'service' }),
    tables: async () => {
      // Every table as stored (maps as their entries), the way the database persists them.
      const out: Record<string, unknown> = {};
      for (const [name, table] of Object.entries(database.tables)) {
        out[name] = table instanceof Map ? [...table.entries()] : table;
      }
      return out;
    },
    reset: async () => {
      database = createMemoryDatabase();
    },
  }),
});
