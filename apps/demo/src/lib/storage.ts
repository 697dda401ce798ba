import type { KVStorage } from '@factoredui/core';

/** A {@link KVStorage} over `localStorage` that batches writes and survives a full quota. */
export interface DemoStorage extends KVStorage {
  /** Writes pending values now (also runs on `pagehide`). */
  flush(): void;
  /** The last persistence problem (quota exceeded...), or null. */
  readonly lastError: string | null;
}

/** Every key the demo (and the FactoredUI packages it uses) keeps in `localStorage`. */
export const DEMO_KEY_PREFIXES = ['factoredui', 'demo:'] as const;

/**
 * Wraps `localStorage` so that the memory store's whole-database saves are coalesced: the
 * store serializes its tables after every write, and during a simulation that is thousands
 * of writes; only the last value of a key within `delayMs` reaches `localStorage`. A full
 * quota is reported (the demo keeps running in memory) instead of throwing.
 */
export function createDemoStorage(
  target: Storage,
  options: { delayMs?: number; onError?: (message: string) => void } = {},
): DemoStorage {
  const { delayMs = 400, onError } = options;
  const pending = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastError: string | null = null;

  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    for (const [key, value] of pending) {
      try {
        target.setItem(key, value);
      } catch (error) {
        lastError = `Could not persist ${key} (${Math.round(value.length / 1024)} kB): ${
          error instanceof Error ? error.message : String(error)
        }. The demo keeps running in memory; use "Reset demo data" to start small again.`;
        onError?.(lastError);
      }
    }
    pending.clear();
  };
  if (typeof window !== 'undefined') window.addEventListener('pagehide', flush);

  return {
    get lastError() {
      return lastError;
    },
    getItem: (key) => pending.get(key) ?? target.getItem(key),
    setItem(key, value) {
      pending.set(key, value);
      timer ??= setTimeout(flush, delayMs);
    },
    removeItem(key) {
      pending.delete(key);
      target.removeItem(key);
    },
    flush,
  };
}

/** Removes every key of the demo from `storage` (the reset control). */
export function clearDemoKeys(storage: Storage): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && DEMO_KEY_PREFIXES.some((p) => key.startsWith(p))) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
