import { createRandomId } from '../util/ids.js';
import type { KVStorage } from '../util/kv.js';
import { type CaptureLocks, createTabOwnership, type TabOwnership } from './ownership.js';
import {
  type CommitResult,
  createQueuePersistence,
  isQuotaError,
  type PersistedQueue,
  type QueuePersistence,
  type QueueSnapshot,
  readPersistedQueue,
  removePersistedQueue,
} from './persistence.js';
import type { EventQueue, QueueEntry } from './queue.js';
import type { CaptureTimers, TimerHandle } from './timers.js';
import type { SessionRecord } from './types.js';

/** Options of {@link createQueueKeeper}. */
export interface QueueKeeperOptions {
  /** Where the queue lives; without it the keeper only applies the byte bound. */
  storage: KVStorage | undefined;
  /** Key prefix (and key of the 0.x single queue, adopted too). */
  prefix: string;
  locks: CaptureLocks | null | undefined;
  leaseMs: number;
  adoptIntervalMs: number;
  /** Changes reach storage at most this long after {@link QueueKeeper.schedule}. */
  persistDelayMs: number;
  now: () => number;
  timers: CaptureTimers;
  queue: EventQueue;
  /** What is written with the queue: session records and the dropped count. */
  meta(): { sessions: SessionRecord[]; dropped: number };
  /** Whether a full storage may drop the oldest events (the writer: while the store fails). */
  mayDropToFit(): boolean;
  /** Entries the bounds (or a full storage) dropped from the queue. */
  onDropped(entries: readonly QueueEntry[]): void;
  /** Merges another tab's persisted queue into this one; the keeper then commits and removes it. */
  onAdopt(found: PersistedQueue): void;
  /** A storage problem; `events` is the exact number of queued events storage does not hold. */
  onError(error: unknown, info: { phase: 'persist' | 'load'; events: number }): void;
}

/**
 * Keeps a writer's queue durable: commits its changes within `persistDelayMs` (applying the
 * byte bound as events are serialized), owns this tab's queue key, adopts the queues of dead
 * tabs at start and every `adoptIntervalMs`, fits the queue to a full storage, and hands the
 * queue over on close.
 */
export interface QueueKeeper {
  /** Settles once this tab owns its key and has adopted the queues left behind. */
  readonly ready: Promise<void>;
  /** Queued events storage does not hold right now. */
  readonly unpersisted: number;
  /** Commits within `persistDelayMs`. */
  schedule(): void;
  /** Commits now (after a running commit); settles when storage matches the queue. */
  commitNow(): Promise<void>;
  /**
   * Stops timers, commits, then removes the queue if `isEmpty()` (nothing queued nor counted)
   * or leaves it listed for the next tab to adopt.
   */
  close(isEmpty: () => boolean): Promise<void>;
}

/** Creates a {@link QueueKeeper}. */
export function createQueueKeeper(options: QueueKeeperOptions): QueueKeeper {
  const { storage, prefix, queue, timers, onError } = options;
  let ownership: TabOwnership | null = null;
  let persistence: QueuePersistence | null = null;
  let timer: TimerHandle | null = null;
  let adoptTimer: TimerHandle | null = null;
  let committing: Promise<void> | null = null;
  let dirty = false;
  let lastOk = true;
  let unpersisted = 0;
  let closed = false;
  /** The persistence was replaced (a lost lease): its first commit writes everything. */
  let resync = false;

  const snapshot = (): QueueSnapshot => {
    const changes = queue.takeChanges();
    const added = resync ? queue.entries() : changes.added;
    resync = false;
    return { added, removed: changes.removed, has: (id) => queue.has(id), ...options.meta() };
  };

  /** Storage is full: keep only what it held, if the writer allows dropping now. */
  const fitStorage = (result: CommitResult): boolean => {
    if (result.ok || !isQuotaError(result.error) || result.storedChars === 0) return false;
    if (!options.mayDropToFit()) return false;
    const gone = queue.trim(result.storedChars);
    options.onDropped(gone);
    return gone.length > 0;
  };

  const commitOnce = async () => {
    // Serializing happens here, off the enqueue path; it also applies the byte bound.
    options.onDropped(queue.trim());
    if (!persistence) {
      queue.takeChanges(); // nothing to apply them to
      return;
    }
    let result = await persistence.commit(snapshot());
    while (fitStorage(result)) result = await persistence.commit(snapshot());
    // Reported when storage starts failing and whenever the number at risk changes, not on
    // every commit of a lasting failure.
    if (!result.ok && (lastOk || result.unpersisted !== unpersisted))
      onError(result.error, { phase: 'persist', events: result.unpersisted });
    lastOk = result.ok;
    unpersisted = result.unpersisted;
  };

  const commitNow = (): Promise<void> => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (committing) {
      dirty = true;
      return committing;
    }
    const run = async () => {
      try {
        do {
          dirty = false;
          await commitOnce();
        } while (dirty);
      } finally {
        committing = null;
      }
    };
    committing = run();
    return committing;
  };

  const schedule = () => {
    if (timer !== null || closed) return;
    timer = timers.setTimeout(() => {
      timer = null;
      void commitNow();
    }, options.persistDelayMs);
  };

  /** Takes over the queue at `key`: merged and durable under this tab's key, then removed. */
  const adopt = async (key: string) => {
    if (!storage) return;
    const found = await readPersistedQueue(storage, key);
    if (!found) return;
    options.onAdopt(found);
    await commitNow();
    await removePersistedQueue(storage, key);
  };

  const adoptDead = async () => {
    if (!ownership || closed) return;
    try {
      await ownership.adoptDead(adopt, prefix);
    } catch (error) {
      onError(error, { phase: 'load', events: 0 });
    }
  };
  const scheduleAdoption = () => {
    if (closed || !ownership) return;
    adoptTimer = timers.setTimeout(() => {
      adoptTimer = null;
      void adoptDead().finally(scheduleAdoption);
    }, options.adoptIntervalMs);
  };

  /** Starts owning a fresh queue key (at start, and again if a lease was lost). */
  const own = (): Promise<void> => {
    if (!storage) return Promise.resolve();
    const mine = createTabOwnership({
      storage,
      prefix,
      tabId: createRandomId(),
      locks: options.locks,
      leaseMs: options.leaseMs,
      now: options.now,
      timers,
      onError: (error) => onError(error, { phase: 'persist', events: 0 }),
      onLost: () => {
        // Another tab adopted this tab's persisted queue; its events may now be written twice
        // (harmless). Persist what is queued under a new key.
        if (closed || ownership !== mine) return;
        void own().then(commitNow);
      },
    });
    ownership = mine;
    resync = persistence !== null;
    persistence = createQueuePersistence(storage, mine.queueKey(mine.tabId));
    return mine.ready;
  };

  const ready = own()
    .then(adoptDead)
    .catch((error: unknown) => onError(error, { phase: 'load', events: 0 }))
    .then(() => {
      scheduleAdoption();
      // Events queued before the tab owned its key are persisted now.
      if (queue.length > 0) schedule();
    });

  return {
    ready,
    get unpersisted() {
      return unpersisted;
    },
    schedule,
    commitNow,
    async close(isEmpty) {
      if (closed) return;
      closed = true;
      if (adoptTimer !== null) timers.clearTimeout(adoptTimer);
      adoptTimer = null;
      await ready;
      await commitNow();
      if (!ownership || !persistence) return;
      const empty = isEmpty();
      if (empty)
        await persistence
          .clear()
          .catch((error: unknown) => onError(error, { phase: 'persist', events: 0 }));
      await ownership.release(empty);
    },
  };
}
