import { FactoredError, isFactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import type { QueuedEvent } from './queue.js';
import type { CaptureTimers } from './timers.js';
import type { SessionRecord } from './types.js';

/** What the event writer needs of a store. */
export type CaptureStore = Pick<FactoredStore, 'getIdentity' | 'startSession' | 'insertEvents'>;

/** Default time a store call may take before it counts as failed, in ms. */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

/** Options of {@link createTransport}. */
export interface TransportOptions {
  store: CaptureStore;
  /** The user of the events; default: the store's identity, looked up on the first write. */
  userId?: string | undefined;
  /** Every store call fails with `unavailable` (`details.reason: "timeout"`) after this long. */
  timeoutMs: number;
  timers: CaptureTimers;
  /** The record of a session, for `startSession` before its first events. */
  sessionOf(id: string): SessionRecord | undefined;
  /**
   * An `insertEvents` call that had timed out settled after all: `ok` tells whether the events
   * landed (a late success is harmless: a retry of the same ids stores nothing twice).
   */
  onLateResult?(ids: readonly string[], ok: boolean): void;
}

/**
 * Writes batches to the store: attaches the user, records sessions before their first events
 * (again if the store lost them), and bounds every call by a timeout so a call that never
 * settles cannot stall capture.
 */
export interface Transport {
  /** Writes `events` once; rejects with the store's error or a timeout. */
  write(events: readonly QueuedEvent[], keepalive: boolean): Promise<void>;
  /** The user of the events (the option, else the store's identity, looked up once). */
  user(): Promise<string>;
}

/** Creates a {@link Transport}. */
export function createTransport(options: TransportOptions): Transport {
  const { store, timeoutMs, timers, sessionOf, onLateResult } = options;
  const confirmed = new Set<string>();
  let userId: Promise<string> | null = null;

  /** `call()`, failing with `unavailable` after `timeoutMs`; `late` sees a result that came after. */
  const timed = <T>(what: string, call: () => Promise<T>, late?: (ok: boolean) => void) =>
    new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = timers.setTimeout(() => {
        if (done) return;
        done = true;
        reject(
          new FactoredError(
            'unavailable',
            `${what} did not answer within ${timeoutMs} ms; the events stay queued and are retried (their ids make the retry idempotent). Raise storeTimeoutMs if the store is this slow.`,
            { details: { reason: 'timeout', timeoutMs } },
          ),
        );
      }, timeoutMs);
      const settle = (ok: boolean, apply: () => void) => {
        if (done) {
          late?.(ok);
          return;
        }
        done = true;
        timers.clearTimeout(timer);
        apply();
      };
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => settle(true, () => resolve(value)),
        (error: unknown) => settle(false, () => reject(error)),
      );
    });

  const resolveUserId = (): Promise<string> => {
    userId ??= (async () => {
      const id = options.userId ?? (await timed('getIdentity', () => store.getIdentity())).userId;
      if (!id) {
        throw new FactoredError(
          'unauthorized',
          'capture needs a user: the store acts as no user; pass `userId` to initCapture/createEventWriter or use a user store.',
        );
      }
      return id;
    })();
    // A failed lookup (offline) is retried on the next write.
    userId.catch(() => {
      userId = null;
    });
    return userId;
  };

  /** Records the sessions of `events` that this run has not confirmed (all of them with `force`). */
  const ensureSessions = async (events: readonly QueuedEvent[], user: string, force: boolean) => {
    for (const id of new Set(events.map((event) => event.sessionId))) {
      const record = sessionOf(id);
      if (!record || (confirmed.has(id) && !force)) continue;
      await timed('startSession', () => store.startSession({ ...record, userId: user }));
      confirmed.add(id);
    }
  };

  return {
    user: resolveUserId,
    async write(events, keepalive) {
      const user = await resolveUserId();
      const rows = events.map((event) => ({ ...event, userId: user }));
      const ids = events.map((event) => event.id);
      const insert = () =>
        timed(
          'insertEvents',
          () =>
            keepalive ? store.insertEvents(rows, { keepalive: true }) : store.insertEvents(rows),
          (ok) => onLateResult?.(ids, ok),
        );
      await ensureSessions(events, user, false);
      try {
        await insert();
      } catch (error) {
        if (!isFactoredError(error, 'not_found')) throw error;
        await ensureSessions(events, user, true);
        await insert();
      }
    },
  };
}
