import {
  type CaptureStore,
  createMemoryKVStorage,
  FactoredError,
  type FactoredEvent,
  type KVStorage,
} from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';
import { act } from '@testing-library/react-native';
import { vi } from 'vitest';

/** A user store and a service store over one in-memory database. */
export function createStores(userId = 'rn-user'): { user: MemoryStore; service: MemoryStore } {
  const database = createMemoryDatabase();
  return {
    user: createMemoryStore({ database, userId }),
    service: createMemoryStore({ database, role: 'service' }),
  };
}

/** Events of some types, as the service sees them (ordered by time). */
export function eventsOf(
  store: MemoryStore,
  ...types: FactoredEvent['type'][]
): Promise<FactoredEvent[]> {
  return store.listEvents({ types });
}

/**
 * An AsyncStorage stand-in: the same three methods, every one answering on a later
 * microtask, over a map that outlives the "app" (a device's disk across a crash).
 */
export function createAsyncStorage(): KVStorage & { data: Map<string, string> } {
  const memory = createMemoryKVStorage();
  return {
    data: memory.data,
    getItem: async (key) => memory.getItem(key) as string | null,
    setItem: async (key, value) => {
      memory.setItem(key, value);
    },
    removeItem: async (key) => {
      memory.removeItem(key);
    },
  };
}

/**
 * Wraps a store so its event writes can fail (`unavailable`, as when offline) or succeed but
 * lose their answer (the write landed, the app never heard); records every event id sent.
 */
export function controllableStore(inner: CaptureStore) {
  const state = { mode: 'ok' as 'ok' | 'offline' | 'lose-answer', sent: [] as string[] };
  const store: CaptureStore = {
    getIdentity: () => inner.getIdentity(),
    startSession: (session) => inner.startSession(session),
    async insertEvents(events, options) {
      state.sent.push(...events.map((event) => event.id));
      if (state.mode === 'offline') throw new FactoredError('unavailable', 'offline (test)');
      const result = await inner.insertEvents(events, options);
      if (state.mode === 'lose-answer')
        throw new FactoredError('unavailable', 'answer lost (test)');
      return result;
    },
  };
  return { store, state };
}

/** Runs pending timers and microtasks of the fake clock by `ms`, inside `act`. */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}
