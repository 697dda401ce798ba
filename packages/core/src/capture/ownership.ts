import type { KVStorage } from '../util/kv.js';
import { parseJson } from './storage.js';
import type { CaptureTimers, TimerHandle } from './timers.js';

/**
 * The part of the Web Locks API (`navigator.locks`) capture uses. A lock is held until the
 * callback's promise settles, and the browser releases it when the tab dies (crash included).
 */
export interface CaptureLocks {
  request<T>(
    name: string,
    options: { ifAvailable?: boolean },
    callback: (lock: unknown) => T | Promise<T>,
  ): Promise<T>;
}

/** Options of {@link createTabOwnership}. */
export interface TabOwnershipOptions {
  storage: KVStorage;
  /** Key prefix; the registry is `<prefix>:tabs`, a tab's queue `<prefix>:<tabId>`. */
  prefix: string;
  /** This tab's id. */
  tabId: string;
  /** Web Locks; without them ownership is a lease renewed by a heartbeat. */
  locks?: CaptureLocks | null | undefined;
  /** Lease length in ms (lease mode). */
  leaseMs: number;
  now: () => number;
  timers: CaptureTimers;
  /** Lease mode: another tab took this tab's queue (this tab's heartbeat came too late). */
  onLost?: () => void;
  /** A storage error (the registry or a lease could not be read or written). */
  onError?: (error: unknown) => void;
}

/**
 * Who owns which persisted queue. Every tab writes its own queue (`<prefix>:<tabId>`) and lists
 * itself in the registry; a tab whose owner is gone (crashed, or closed with events left) is
 * adopted by the next live tab that looks, under the dead tab's lock (Web Locks) or a claimed
 * lease, so two live tabs never take the same queue.
 */
export interface TabOwnership {
  /** This tab's id. */
  readonly tabId: string;
  /** Storage key of a tab's queue. */
  queueKey(tabId: string): string;
  /** Settles once this tab owns its queue and is listed (lock granted or lease written). */
  readonly ready: Promise<void>;
  /**
   * Calls `adopt(key)` for every listed queue whose owner is gone (and for the 0.x queue key
   * `legacyKey`), each while this tab exclusively holds it; unlists it once `adopt` resolved.
   * Returns the number of queues adopted.
   */
  adoptDead(adopt: (key: string) => Promise<void>, legacyKey?: string): Promise<number>;
  /**
   * Gives up ownership. With `unlist`, this tab's queue is removed from the registry (call it
   * after clearing an empty queue); without, it stays listed so the next tab adopts it.
   */
  release(unlist: boolean): Promise<void>;
}

interface Lease {
  by: string;
  until: number;
}

const settle = <T>(value: T | Promise<T>): Promise<T> => Promise.resolve(value);

/** Creates the {@link TabOwnership} of one tab. */
export function createTabOwnership(options: TabOwnershipOptions): TabOwnership {
  const { storage, prefix, tabId, locks, leaseMs, now, timers, onError = () => {} } = options;
  const registryKey = `${prefix}:tabs`;
  const lockName = (id: string) => `${prefix}:lock:${id}`;
  const leaseKey = (id: string) => `${prefix}:${id}:lease`;
  const queueKey = (id: string) => `${prefix}:${id}`;

  /** Runs `fn` under the registry lock when there are locks (a read-modify-write of one key). */
  const underRegistryLock = <T>(fn: () => Promise<T>): Promise<T> =>
    locks ? locks.request(lockName('registry'), {}, fn) : fn();

  const parseRegistry = (raw: string | null): string[] => {
    const list = parseJson(raw);
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
  };
  const readRegistry = async () => parseRegistry(await settle(storage.getItem(registryKey)));

  const updateRegistry = (change: (ids: string[]) => string[]) =>
    underRegistryLock(async () => {
      const apply = (raw: string | null) => {
        const before = parseRegistry(raw);
        const after = change(before);
        if (after.length === before.length && after.every((id, i) => id === before[i])) return;
        return after.length === 0
          ? storage.removeItem(registryKey)
          : storage.setItem(registryKey, JSON.stringify(after));
      };
      // With a synchronous storage the read and the write happen in one step, so no other
      // writer of this thread slips between them.
      const raw = storage.getItem(registryKey);
      await settle(typeof raw === 'string' || raw === null ? apply(raw) : apply(await raw));
    });

  const list = (id: string) => updateRegistry((ids) => (ids.includes(id) ? ids : [...ids, id]));
  const unlist = (id: string) => updateRegistry((ids) => ids.filter((other) => other !== id));

  const guard = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      onError(error);
    }
  };

  // ---- lease mode --------------------------------------------------------------------------

  const readLease = async (id: string): Promise<Lease | null> => {
    const lease = parseJson(await settle(storage.getItem(leaseKey(id)))) as Partial<Lease>;
    return typeof lease?.by === 'string' && typeof lease.until === 'number'
      ? (lease as Lease)
      : null;
  };
  const writeLease = (id: string, until: number) =>
    settle(storage.setItem(leaseKey(id), JSON.stringify({ by: tabId, until })));

  let heartbeat: TimerHandle | null = null;
  let released = false;
  const beat = () => {
    heartbeat = null;
    if (released) return;
    void guard(async () => {
      const lease = await readLease(tabId);
      if (lease?.by !== tabId) {
        // Another tab decided this one was dead (its timers were throttled) and took its
        // queue (the lease is claimed, or already removed after the adoption). Duplicates that follow are harmless (idempotent ids); the writer moves on to
        // a fresh queue key.
        released = true;
        options.onLost?.();
        return;
      }
      await writeLease(tabId, now() + leaseMs);
      await list(tabId);
    }).finally(() => {
      if (!released) heartbeat = timers.setTimeout(beat, leaseMs / 3);
    });
  };

  // ---- lock mode ---------------------------------------------------------------------------

  let releaseLock: (() => void) | null = null;

  const ready: Promise<void> = locks
    ? new Promise<void>((granted) => {
        void locks
          .request(
            lockName(tabId),
            {},
            () =>
              new Promise<void>((release) => {
                releaseLock = release;
                granted();
              }),
          )
          .catch((error: unknown) => {
            // Locks refused (a sandboxed frame): capture goes on; the queue is still persisted,
            // only its adoption by other tabs cannot be coordinated.
            onError(error);
            granted();
          });
      }).then(() => guard(() => list(tabId)))
    : guard(async () => {
        await writeLease(tabId, now() + leaseMs);
        await list(tabId);
      }).then(() => {
        if (!released) heartbeat = timers.setTimeout(beat, leaseMs / 3);
      });

  /** Runs `fn` if this tab can take `id`'s queue exclusively; false when it is owned. */
  const takeExclusive = async (id: string, fn: () => Promise<void>): Promise<boolean> => {
    if (locks) {
      return locks.request(lockName(id), { ifAvailable: true }, async (lock) => {
        if (!lock) return false;
        await fn();
        return true;
      });
    }
    const lease = await readLease(id);
    if (lease && lease.until > now()) return false;
    await writeLease(id, now() + leaseMs);
    // Read back: of two tabs claiming at once, the one whose claim is stored goes on.
    if ((await readLease(id))?.by !== tabId) return false;
    await fn();
    await settle(storage.removeItem(leaseKey(id)));
    return true;
  };

  return {
    tabId,
    queueKey,
    ready,
    async adoptDead(adopt, legacyKey) {
      await ready;
      if (released) return 0;
      let adopted = 0;
      const candidates: { id: string; key: string }[] = [];
      try {
        for (const id of await readRegistry())
          if (id !== tabId) candidates.push({ id, key: queueKey(id) });
      } catch (error) {
        onError(error);
      }
      if (legacyKey) candidates.push({ id: 'legacy', key: legacyKey });
      for (const { id, key } of candidates) {
        await guard(async () => {
          const took = await takeExclusive(id, async () => {
            await adopt(key);
            if (id !== 'legacy') await unlist(id);
          });
          if (took) adopted += 1;
        });
      }
      return adopted;
    },
    async release(unlistSelf) {
      if (released) return;
      released = true;
      if (heartbeat !== null) timers.clearTimeout(heartbeat);
      heartbeat = null;
      await guard(async () => {
        if (unlistSelf) await unlist(tabId);
        if (!locks) {
          if (unlistSelf) await settle(storage.removeItem(leaseKey(tabId)));
          // Expired at once, so the next tab adopts what is left without waiting.
          else await writeLease(tabId, 0);
        }
      });
      releaseLock?.();
    },
  };
}
