import type { CaptureLocks } from '@factoredui/core';

/**
 * Locks held in this JavaScript runtime, with the semantics capture needs from Web Locks: a
 * lock is held until the callback's promise settles, and every lock disappears with the
 * runtime. A React Native app has one runtime, so a queue left in storage by a crashed or
 * killed run has no holder after a restart and is adopted at once (no lease to wait out),
 * while two captures of one running app still never take the same queue.
 */
export function createRuntimeLocks(): CaptureLocks {
  const held = new Set<string>();
  const waiting = new Map<string, (() => void)[]>();

  const release = (name: string) => {
    const next = waiting.get(name)?.shift();
    if (next) next();
    else held.delete(name);
  };

  return {
    request<T>(
      name: string,
      options: { ifAvailable?: boolean },
      callback: (lock: unknown) => T | Promise<T>,
    ): Promise<T> {
      const run = async (lock: unknown): Promise<T> => {
        try {
          return await callback(lock);
        } finally {
          if (lock !== null) release(name);
        }
      };
      if (!held.has(name)) {
        held.add(name);
        return run({ name });
      }
      // Web Locks call back with `null` when `ifAvailable` finds the lock taken.
      if (options.ifAvailable) return run(null);
      return new Promise<T>((resolve, reject) => {
        const queue = waiting.get(name) ?? [];
        queue.push(() => run({ name }).then(resolve, reject));
        waiting.set(name, queue);
      });
    },
  };
}
