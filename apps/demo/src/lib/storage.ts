/** Every key the demo (and the FactoredUI packages it uses) keeps in `localStorage`. */
export const DEMO_KEY_PREFIXES = ['factoredui', 'demo:'] as const;

/** The browser's demo signing key (kept across reloads, erased by a reset). */
export const SIGNING_KEY = 'demo:signing-key';

/**
 * Where earlier versions kept the whole database in `localStorage` (removed at start-up: the
 * database lives in IndexedDB now, see `src/data/`).
 */
export const LEGACY_DATABASE_KEY = 'factoredui:demo-db';

/** Removes every key of the demo from `storage` (the reset control). */
export function clearDemoKeys(storage: Storage): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && DEMO_KEY_PREFIXES.some((p) => key.startsWith(p))) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
