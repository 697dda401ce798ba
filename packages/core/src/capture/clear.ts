import type { KVStorage } from '../util/kv.js';
import { removePersistedQueue } from './persistence.js';
import { DEFAULT_SESSION_STORAGE_KEY } from './session.js';
import { parseJson } from './storage.js';
import { DEFAULT_QUEUE_STORAGE_KEY } from './writer.js';

/** Options of {@link clearPersistedCapture}: the keys capture was started with. */
export interface ClearPersistedCaptureOptions {
  /** Prefix of the persisted queues (the writer's `storageKey`). Default `factoredui:capture-queue`. */
  storageKey?: string;
  /** Key of the persisted session (`createSessionManager`'s `storageKey`). Default `factoredui:capture-session`. */
  sessionStorageKey?: string;
}

/**
 * Removes everything capture persisted on this device for the signed-in user (DESIGN §19, the
 * device side of an erasure or a sign-out): the event queue of every tab listed in the
 * registry, their leases, the registry itself, the single queue of 0.x writers, and the
 * current session record. Queued events are discarded, never sent. Returns how many queues
 * were removed.
 *
 * Stop capture in this tab first (`await capture.stopCapture()`, which also sends what it
 * can, so the server-side erasure covers it); a writer still running in another tab keeps its
 * own queue in memory, so call this in every open tab or once they are closed.
 *
 * @example
 * ```ts
 * await capture.stopCapture();
 * await clearPersistedCapture(window.localStorage);
 * await fetch('/api/erase-me', { method: 'POST' }); // the server calls store.eraseUser(userId)
 * ```
 */
export async function clearPersistedCapture(
  storage: KVStorage,
  options: ClearPersistedCaptureOptions = {},
): Promise<{ queues: number }> {
  const prefix = options.storageKey ?? DEFAULT_QUEUE_STORAGE_KEY;
  const registryKey = `${prefix}:tabs`;
  const listed = parseJson(await storage.getItem(registryKey));
  const tabs = Array.isArray(listed)
    ? listed.filter((id): id is string => typeof id === 'string')
    : [];
  let queues = 0;
  for (const id of tabs) {
    const key = `${prefix}:${id}`;
    if ((await storage.getItem(key)) !== null) queues += 1;
    await removePersistedQueue(storage, key);
    await storage.removeItem(`${key}:lease`);
  }
  await storage.removeItem(registryKey);
  if ((await storage.getItem(prefix)) !== null) queues += 1;
  await removePersistedQueue(storage, prefix);
  await storage.removeItem(options.sessionStorageKey ?? DEFAULT_SESSION_STORAGE_KEY);
  return { queues };
}
