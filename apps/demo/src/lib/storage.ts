/** Every key the demo (and the FactoredUI packages it uses) keeps in `localStorage`. */
export const DEMO_KEY_PREFIXES = ['factoredui', 'demo:'] as const;

/** Removes every key of the demo from `storage` (the reset control). */
export function clearDemoKeys(storage: Storage): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && DEMO_KEY_PREFIXES.some((p) => key.startsWith(p))) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
