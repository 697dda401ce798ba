import type { CaptureAdapter, FactoredEvent } from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';

/** A user store and a service store over one in-memory database. */
export function createStores(userId = 'user-1'): {
  user: MemoryStore;
  service: MemoryStore;
} {
  const database = createMemoryDatabase();
  return {
    user: createMemoryStore({ database, userId }),
    service: createMemoryStore({ database, role: 'service' }),
  };
}

/** Events of a type, as the service sees them. */
export async function eventsOf(store: MemoryStore, type: FactoredEvent['type']) {
  return store.listEvents({ types: [type] });
}

/** A capture adapter that records nothing by itself and counts its starts and stops. */
export function countingAdapter(): CaptureAdapter & { starts: number; stops: number } {
  const adapter = {
    platform: 'web',
    starts: 0,
    stops: 0,
    start() {
      adapter.starts += 1;
    },
    stop() {
      adapter.stops += 1;
    },
    sessionMetadata: () => ({ platform: 'web' }),
  };
  return adapter;
}
