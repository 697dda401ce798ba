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
    reset: async () => {
      database = createMemoryDatabase();
    },
  }),
});
