import type { FactoredStore } from '@factoredui/core';

/** A store that fails the test if any method is called: for input validation tests. */
export function untouchableStore(): FactoredStore {
  return new Proxy({} as FactoredStore, {
    get(_target, property) {
      return () => {
        throw new Error(`the store must not be called (${String(property)})`);
      };
    },
  });
}
