/**
 * A key-value storage: `localStorage`, `sessionStorage`, AsyncStorage, or anything with the
 * same three methods, synchronous or asynchronous.
 */
export interface KVStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** A {@link KVStorage} held in memory; useful in tests and on servers. */
export function createMemoryKVStorage(
  initial: Record<string, string> = {},
): KVStorage & { readonly data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      data.set(key, value);
    },
    removeItem: (key) => {
      data.delete(key);
    },
  };
}
