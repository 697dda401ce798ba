import type { KVStorage } from '../util/kv.js';

/**
 * Reads `key` and hands the raw value to `apply`: synchronously when the storage is
 * synchronous (`localStorage`), so a reload resumes its state before the first event, and
 * after the promise settles otherwise (AsyncStorage). Returns a promise that settles once
 * `apply` has run. A storage that throws (private mode, quota) reads as empty.
 */
export function readStored(
  storage: KVStorage | undefined,
  key: string,
  apply: (raw: string | null) => void,
  onError: (error: unknown) => void,
): Promise<void> {
  if (!storage) return Promise.resolve();
  let value: string | null | Promise<string | null>;
  try {
    value = storage.getItem(key);
  } catch (error) {
    onError(error);
    return Promise.resolve();
  }
  if (typeof value === 'string' || value === null) {
    apply(value);
    return Promise.resolve();
  }
  return Promise.resolve(value).then(
    (raw) => apply(raw ?? null),
    (error: unknown) => onError(error),
  );
}

/** Writes (or, for `null`, removes) `key` without ever throwing: failures go to `onError`. */
export function writeStored(
  storage: KVStorage | undefined,
  key: string,
  value: string | null,
  onError: (error: unknown) => void,
): void {
  if (!storage) return;
  try {
    const result = value === null ? storage.removeItem(key) : storage.setItem(key, value);
    if (result && typeof (result as Promise<void>).then === 'function')
      (result as Promise<void>).catch(onError);
  } catch (error) {
    onError(error);
  }
}

/** Parses JSON, returning `undefined` for anything unparsable. */
export function parseJson(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
