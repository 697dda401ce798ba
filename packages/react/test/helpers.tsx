import type { CaptureAdapter, FactoredEvent } from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';
import { vi } from 'vitest';

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

/**
 * Runs `fn`, in which a render is expected to throw, without the noise React and jsdom print
 * for it: React's error log is silenced, and the uncaught-error report that React 18's
 * development build routes through a window `error` event (which jsdom prints with a stack) is
 * marked as handled. The throw itself is still asserted by the caller.
 */
export function whileRenderThrows<T>(fn: () => T): T {
  const silence = (event: ErrorEvent) => event.preventDefault();
  window.addEventListener('error', silence);
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return fn();
  } finally {
    window.removeEventListener('error', silence);
    consoleError.mockRestore();
  }
}
