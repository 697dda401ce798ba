import { FactoredError, isFactoredError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { createEventId, isUuid } from '../util/ids.js';
import type { KVStorage } from '../util/kv.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import { type RetryOptions, retryDelay } from './backoff.js';
import { createQueueKeeper } from './keeper.js';
import type { CaptureLocks } from './ownership.js';
import { createEventQueue, type QueuedEvent, type QueueEntry } from './queue.js';
import { type CaptureTimers, defaultTimers, type TimerHandle } from './timers.js';
import { type CaptureStore, createTransport, DEFAULT_STORE_TIMEOUT_MS } from './transport.js';
import {
  type ComponentPath,
  EVENT_TYPES,
  type EventPayload,
  type EventType,
  type SessionRecord,
} from './types.js';
import { componentPathProblem, isEventType, payloadProblem } from './validate.js';

export type { QueuedEvent } from './queue.js';
export type { CaptureStore } from './transport.js';

/** An event handed to {@link EventWriter.enqueue}; the writer adds `id` and `createdAt`. */
export interface EventDraft {
  /** A session registered with {@link EventWriter.startSession}. */
  sessionId: string;
  type: EventType;
  path: ComponentPath;
  /** Plain JSON. Default `{}`. */
  payload?: EventPayload | undefined;
  /** When it happened. Default: now. */
  createdAt?: TimeInput | undefined;
}

/** Outcome of {@link EventWriter.flush}. Failed events stay queued; none is lost. */
export interface FlushResult {
  /** True when every event queued at the time was written (or there was nothing to write). */
  ok: boolean;
  /** Events stored by this flush. */
  written: number;
  /** Events still queued afterwards. */
  remaining: number;
  /** Why the flush stopped early, when `ok` is false. */
  error?: unknown;
}

/** Counters of a writer, for hosts and dashboards. */
export interface EventWriterStats {
  /** Events waiting to be written (including an in-flight batch). */
  queued: number;
  /** Characters of serialized events queued (what `maxQueueBytes` bounds). */
  queuedBytes: number;
  /**
   * Events dropped, oldest first, because the queue was full (count or bytes) or storage could
   * not hold them while the store was unreachable. Never counts an event the store confirmed.
   * Survives reloads.
   */
  dropped: number;
  /** Events written by this writer. */
  written: number;
  /** Events the store refused as invalid (`invalid_input`); they cannot ever be stored. */
  rejected: number;
  /** Events taken over from other tabs' (or a previous page's) persisted queues. */
  adopted: number;
  /** Queued events storage does not hold right now (a storage error); 0 normally. */
  unpersisted: number;
  /** Consecutive failed write attempts (0 after a success). */
  failures: number;
  /** When the next automatic retry is due (epoch ms), or `null`. */
  nextRetryAt: number | null;
  /** Whether a flush is running. */
  flushing: boolean;
  /** The last write error, or `null` after a success. */
  lastError: unknown;
}

/** Where a problem reported to `onError` came from. */
export type EventWriterPhase = 'write' | 'reject' | 'persist' | 'load';

/** Options of {@link createEventWriter}. */
export interface EventWriterOptions {
  /** Where events go. */
  store: CaptureStore;
  /** The user the events belong to. Default: the store's identity (`getIdentity().userId`). */
  userId?: string | undefined;
  /**
   * Where the queue survives reloads and crashes (web: `localStorage`; React Native: an async
   * key-value storage). Each writer (tab) keeps its own queue under `storageKey`. Default:
   * memory only.
   */
  storage?: KVStorage | undefined;
  /** Prefix of the keys in `storage` (and the key of the 0.x single queue). Default `factoredui:capture-queue`. */
  storageKey?: string;
  /**
   * Web Locks (`navigator.locks`): a tab holds a lock for its queue and adopts the queue of a
   * tab whose lock the browser released. Without them, ownership is a lease renewed by a
   * heartbeat. Default: none (`initCapture` passes the adapter's).
   */
  locks?: CaptureLocks | null | undefined;
  /** Lease length without Web Locks, in ms; renewed every third of it. Default 10000. */
  leaseMs?: number;
  /** How often other tabs' queues are checked for adoption, in ms. Default 5000. */
  adoptIntervalMs?: number;
  /** Events per `insertEvents` call. Default 50, at most `LIMITS.eventsPerBatch` (1,000). */
  batchSize?: number;
  /** Most events held; beyond it the oldest are dropped and counted. Default 1000. */
  maxQueueSize?: number;
  /**
   * Most characters of serialized events held (≈ bytes of storage); beyond it the oldest are
   * dropped and counted. Default 1,000,000 (localStorage holds about 5 million per origin).
   */
  maxQueueBytes?: number;
  /** Automatic flush this long after the first queued event, in ms. Default 5000. */
  flushIntervalMs?: number;
  /** Flush automatically (interval, full batch, retries). Default `true`. */
  autoFlush?: boolean;
  /** Backoff of failed writes. */
  retry?: RetryOptions;
  /**
   * Every store call (`getIdentity`, `startSession`, `insertEvents`) counts as failed after
   * this long, in ms, and its events are retried. Default 10000.
   */
  storeTimeoutMs?: number;
  /**
   * New events reach storage at most this long after they are queued, in ms: a crash (even
   * one without page-hide) loses nothing queued longer ago. At most 100. Default 100.
   */
  persistDelayMs?: number;
  /** Largest serialized body of the page-hide write (keepalive limit is 64 kB). Default 60000. */
  keepaliveMaxChars?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Timers (flush, retry, persistence, timeouts, heartbeat). Default: the global ones. */
  timers?: CaptureTimers;
  /** Random source of the retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Receives every failure the writer handles by itself (retried writes, storage errors);
   * `events` is the exact number of events concerned (for `persist`: queued events storage
   * does not hold).
   */
  onError?: (error: unknown, info: { phase: EventWriterPhase; events: number }) => void;
  /** Called when events are dropped (queue full, or storage full while the store is down). */
  onDrop?: (count: number, totalDropped: number) => void;
}

/**
 * The durable, idempotent event queue of capture. Events get a client id (UUIDv7) and time at
 * enqueue, are written in batches with `insertEvents` (a retried batch never duplicates a row),
 * retried with exponential backoff and jitter, and persisted so a reload drains them.
 */
export interface EventWriter {
  /**
   * Settles once this writer owns its persisted queue and has adopted those left behind,
   * including the offline queue of a FactoredUI 0.5.1 client (`factoredui:offline_queue`).
   */
  readonly ready: Promise<void>;
  /**
   * Registers a session; it is recorded in the store (`startSession`, idempotent) before the
   * first write of its events. Registering it again is a no-op.
   */
  startSession(session: SessionRecord): void;
  /**
   * Validates and queues an event. Throws `invalid_input` (naming the field) for an unknown
   * type, a bad path, a non-JSON payload or an unregistered session; the queue is untouched.
   */
  enqueue(draft: EventDraft): QueuedEvent;
  /**
   * Writes everything queued. At most one flush runs at a time: a flush requested meanwhile
   * runs right after the current one, and its promise settles when that run ends. Never
   * rejects: failures keep the events queued, schedule a retry and are reported in the result.
   */
  flush(): Promise<FlushResult>;
  /**
   * For page hide/unload: persists the queue within the current task (for a synchronous
   * storage) and sends what is queued with `keepalive`, best effort. Events stay queued until
   * the store confirms them, so a write the browser cancels is drained on the next start.
   */
  flushOnHide(): void;
  /** Current counters. */
  getStats(): EventWriterStats;
  /**
   * Stops timers, persists the queue and gives up its ownership: an empty queue is removed, a
   * non-empty one is left for the next tab to adopt. Does not flush; call {@link flush} first.
   */
  close(): Promise<void>;
}

/** Default prefix of the persisted queues (and key of the 0.x single queue). */
export const DEFAULT_QUEUE_STORAGE_KEY = 'factoredui:capture-queue';
/** Where a FactoredUI 0.5.1 client kept its unsent events; drained at start. */
const LEGACY_QUEUE_KEY = 'factoredui:offline_queue';
/** Default and largest {@link EventWriterOptions.persistDelayMs}. */
export const DEFAULT_PERSIST_DELAY_MS = 100;

const invalid = (message: string, field: string) =>
  new FactoredError('invalid_input', message, { details: { field } });

function positive(value: number, field: string, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw invalid(
      `${field} must be a positive number${max < Number.POSITIVE_INFINITY ? ` of at most ${max}` : ''}, got ${value}.`,
      field,
    );
  return value;
}

/**
 * Creates an {@link EventWriter}: the wiring of a queue ({@link createEventQueue}), its
 * persistence and tab ownership, and a transport with timeouts, plus the flush loop and its
 * backoff.
 *
 * @example
 * ```ts
 * const writer = createEventWriter({ store, storage: window.localStorage, locks: navigator.locks });
 * writer.startSession({ id: sessionId, startedAt: new Date().toISOString(), metadata: { platform: 'web' } });
 * writer.enqueue({ sessionId, type: 'click', path: 'shop/cart/checkout-button' });
 * await writer.flush();
 * ```
 */
export function createEventWriter(options: EventWriterOptions): EventWriter {
  if (typeof (options as { insertEvents?: unknown }).insertEvents === 'function') {
    throw new FactoredError(
      'legacy_call',
      'createEventWriter(store, …) is 0.5.1: use createEventWriter({ store })',
    );
  }
  const {
    store,
    storage,
    storageKey = DEFAULT_QUEUE_STORAGE_KEY,
    autoFlush = true,
    retry = {},
    now = Date.now,
    timers = defaultTimers,
    random = Math.random,
    onError = () => {},
    onDrop,
  } = options;
  const batchSize = Math.floor(
    positive(options.batchSize ?? 50, 'batchSize', LIMITS.eventsPerBatch),
  );
  const flushIntervalMs = positive(options.flushIntervalMs ?? 5000, 'flushIntervalMs');
  const persistDelayMs = positive(
    options.persistDelayMs ?? DEFAULT_PERSIST_DELAY_MS,
    'persistDelayMs',
    DEFAULT_PERSIST_DELAY_MS,
  );
  const keepaliveMaxChars = positive(options.keepaliveMaxChars ?? 60_000, 'keepaliveMaxChars');
  const storeTimeoutMs = positive(
    options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    'storeTimeoutMs',
  );
  const leaseMs = positive(options.leaseMs ?? 10_000, 'leaseMs');
  const adoptIntervalMs = positive(options.adoptIntervalMs ?? 5000, 'adoptIntervalMs');

  const maxQueueSize = Math.floor(positive(options.maxQueueSize ?? 1000, 'maxQueueSize'));
  const queue = createEventQueue({
    maxEvents: maxQueueSize,
    maxChars: Math.floor(positive(options.maxQueueBytes ?? 1_000_000, 'maxQueueBytes')),
  });
  const sessions = new Map<string, SessionRecord>();
  let dropped = 0;
  let written = 0;
  let rejected = 0;
  let adopted = 0;
  let failures = 0;
  let nextRetryAt: number | null = null;
  let lastError: unknown = null;
  let closed = false;

  /** Ids sent by a call that timed out and has not settled: it may still land. */
  const uncertain = new Set<string>();
  /** Of those, the ones the bound dropped meanwhile: uncounted again if the late call landed. */
  const droppedUncertain = new Set<string>();

  const countDropped = (entries: readonly QueueEntry[]) => {
    if (entries.length === 0) return;
    for (const { event } of entries) if (uncertain.has(event.id)) droppedUncertain.add(event.id);
    dropped += entries.length;
    onDrop?.(entries.length, dropped);
  };

  const transport = createTransport({
    store,
    userId: options.userId,
    timeoutMs: storeTimeoutMs,
    timers,
    sessionOf: (id) => sessions.get(id),
    onLateResult(ids, ok) {
      for (const id of ids) uncertain.delete(id);
      if (!ok) {
        for (const id of ids) droppedUncertain.delete(id);
        return;
      }
      // The events landed after all: whatever is still queued is done, and what the bound
      // dropped meanwhile was not lost.
      const landed = new Set(ids.filter((id) => queue.has(id)));
      for (const id of ids) {
        if (droppedUncertain.delete(id)) {
          dropped -= 1;
          written += 1;
        }
      }
      written += queue.remove(landed);
      schedulePersist();
    },
  });

  // ---- durability: commits, tab ownership, adoption ---------------------------------------

  const keeper = createQueueKeeper({
    storage,
    prefix: storageKey,
    locks: options.locks,
    leaseMs,
    adoptIntervalMs,
    persistDelayMs,
    now,
    timers,
    queue,
    meta: () => ({ sessions: [...sessions.values()], dropped }),
    // Storage is full: dropping the oldest to fit is right only while they cannot be sent.
    mayDropToFit: () => failures > 0,
    onDropped: countDropped,
    onAdopt(found) {
      for (const session of found.sessions) {
        if (isUuid(session?.id) && !sessions.has(session.id)) sessions.set(session.id, session);
      }
      // Events whose session is unknown could never be written.
      const writable = found.events.filter((e) => isUuid(e?.id) && sessions.has(e.sessionId));
      const orphans = found.events.length - writable.length;
      if (orphans > 0) {
        rejected += orphans;
        onError(
          new FactoredError(
            'internal',
            `${orphans} persisted events had no session and were discarded.`,
          ),
          { phase: 'load', events: orphans },
        );
      }
      adopted += queue.restore(writable).length;
      dropped += found.dropped;
      if (queue.length > 0) scheduleFlush(now());
    },
    onError,
  });
  const schedulePersist = keeper.schedule;

  // ---- automatic flushing ------------------------------------------------------------------

  let flushTimer: TimerHandle | null = null;
  let flushDueAt = Number.POSITIVE_INFINITY;

  function scheduleFlush(at: number): void {
    if (!autoFlush || closed) return;
    const due = Math.max(at, nextRetryAt ?? at);
    // An earlier timer is kept unless it would fire inside the backoff.
    if (flushTimer !== null && flushDueAt <= due && flushDueAt >= (nextRetryAt ?? flushDueAt))
      return;
    if (flushTimer !== null) timers.clearTimeout(flushTimer);
    flushDueAt = due;
    flushTimer = timers.setTimeout(
      () => {
        flushTimer = null;
        flushDueAt = Number.POSITIVE_INFINITY;
        // Automatic flushes wait out the backoff; only an explicit flush() skips it.
        if (nextRetryAt !== null && now() < nextRetryAt) scheduleFlush(nextRetryAt);
        else void flush();
      },
      Math.max(0, due - now()),
    );
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Writes `batch`, marking its ids in flight (and uncertain if the call times out). */
  const send = async (batch: readonly QueueEntry[], keepalive: boolean) => {
    const ids = batch.map((entry) => entry.event.id);
    queue.setInFlight(ids, true);
    try {
      await transport.write(
        batch.map((entry) => entry.event),
        keepalive,
      );
    } catch (error) {
      if (isFactoredError(error, 'unavailable') && error.details?.reason === 'timeout')
        for (const id of ids) uncertain.add(id);
      throw error;
    } finally {
      queue.setInFlight(ids, false);
    }
    // Stored now: a late answer of an earlier, timed-out call for them changes nothing.
    for (const id of ids) uncertain.delete(id);
    written += queue.remove(new Set(ids));
  };

  /**
   * A batch the store refuses as invalid is written one event at a time so only the bad event
   * is given up (it could never be stored) and the others still arrive.
   */
  const isolateInvalid = async (batch: readonly QueueEntry[]) => {
    for (const entry of batch) {
      try {
        await send([entry], false);
      } catch (error) {
        if (!isFactoredError(error, 'invalid_input')) throw error;
        rejected += 1;
        onError(error, { phase: 'reject', events: 1 });
        queue.remove(new Set([entry.event.id]));
      }
    }
  };

  const flushOnce = async (): Promise<FlushResult> => {
    await ready;
    const before = written;
    // Events queued during this flush are taken too; the loop ends when nothing is left.
    for (;;) {
      const batch = queue.nextBatch(batchSize);
      if (batch.length === 0) break;
      try {
        try {
          await send(batch, false);
        } catch (error) {
          if (!isFactoredError(error, 'invalid_input')) throw error;
          await isolateInvalid(batch);
        }
        failures = 0;
        nextRetryAt = null;
        lastError = null;
        schedulePersist();
      } catch (error) {
        failures += 1;
        lastError = error;
        nextRetryAt = now() + retryDelay(failures, retry, random);
        onError(error, { phase: 'write', events: batch.length });
        scheduleFlush(nextRetryAt);
        schedulePersist();
        return { ok: false, written: written - before, remaining: queue.length, error };
      }
    }
    return { ok: true, written: written - before, remaining: queue.length };
  };

  let running: Promise<FlushResult> | null = null;
  let again = false;

  const flush = (): Promise<FlushResult> => {
    if (running) {
      again = true;
      return running;
    }
    const run = async (): Promise<FlushResult> => {
      let result: FlushResult;
      let total = 0;
      try {
        do {
          again = false;
          result = await flushOnce();
          total += result.written;
          // A request that arrived during a failed run is served by the scheduled retry.
        } while (again && result.ok);
      } finally {
        // Cleared in the same microtask as the loop's last check, so no request slips between.
        running = null;
      }
      return { ...result, written: total };
    };
    running = run();
    return running;
  };

  const flushOnHide = () => {
    void keeper.commitNow();
    if (closed) return;
    // One keepalive request of bounded size, with what no other write is carrying.
    const batch = queue.nextBatch(LIMITS.eventsPerBatch, keepaliveMaxChars);
    if (batch.length === 0) return;
    void (async () => {
      try {
        await ready;
        await send(batch, true);
        schedulePersist();
      } catch (error) {
        onError(error, { phase: 'write', events: batch.length });
      }
    })();
  };

  // ---- enqueue -----------------------------------------------------------------------------

  const enqueue = (draft: EventDraft): QueuedEvent => {
    if (typeof draft !== 'object' || draft === null)
      throw invalid('an event must be an object with sessionId, type and path.', 'event');
    const { sessionId, type, path, payload = {}, createdAt } = draft;
    if (!isEventType(type)) {
      throw invalid(
        `unknown event type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}.`,
        'type',
      );
    }
    const pathProblem = componentPathProblem(path);
    if (pathProblem)
      throw invalid(`${type} event: ${pathProblem}, got ${JSON.stringify(path)}.`, 'path');
    const badPayload = payloadProblem(payload);
    if (badPayload) throw invalid(`${type} event at ${path}: ${badPayload}.`, 'payload');
    if (typeof sessionId !== 'string' || !sessions.has(sessionId)) {
      throw invalid(
        `${type} event at ${path}: session ${JSON.stringify(sessionId)} is not registered; call startSession first.`,
        'sessionId',
      );
    }
    const event: QueuedEvent = {
      id: createEventId(),
      sessionId,
      type,
      path,
      payload,
      createdAt: toIsoString(createdAt ?? now(), 'createdAt'),
    };
    queue.push(event);
    // O(1) here; the byte bound is applied within persistDelayMs, when events are serialized.
    if (queue.length > maxQueueSize) countDropped(queue.trim());
    schedulePersist();
    const waiting = queue.length - queue.inFlight;
    scheduleFlush(waiting >= batchSize ? now() : now() + flushIntervalMs);
    return event;
  };

  /**
   * The 0.5.1 offline queue: converted (ids derived from it), made durable in this tab's
   * queue, and only then removed, so a crash in between drains it again with the same ids.
   */
  const drainLegacyQueue = async () => {
    const raw = await storage?.getItem(LEGACY_QUEUE_KEY);
    if (!raw) return;
    // A chunk of its own, loaded only when a 0.5.1 queue exists (docs/bundle-size.md).
    const { convertLegacyQueue } = await import('../legacy/offline-queue.js');
    const found = convertLegacyQueue(raw, await transport.user(), now(), sessions);
    adopted += queue.restore(found.events).length;
    // Counted like the events the store refuses: they can never be stored.
    rejected += found.invalid;
    await keeper.commitNow();
    if (keeper.unpersisted === 0) await storage?.removeItem(LEGACY_QUEUE_KEY);
    if (queue.length > 0) scheduleFlush(now());
  };

  const ready = keeper.ready.then(() =>
    drainLegacyQueue().catch((error: unknown) => onError(error, { phase: 'load', events: 0 })),
  );

  return {
    ready,
    startSession(session) {
      if (typeof session !== 'object' || session === null || !isUuid(session.id))
        throw invalid(
          `session id must be a UUID, got ${JSON.stringify(session?.id)}.`,
          'session.id',
        );
      if (!sessions.has(session.id)) {
        sessions.set(session.id, session);
        schedulePersist();
      }
    },
    enqueue,
    flush,
    flushOnHide,
    getStats: () => ({
      queued: queue.length,
      queuedBytes: queue.chars,
      dropped,
      written,
      rejected,
      adopted,
      unpersisted: keeper.unpersisted,
      failures,
      nextRetryAt,
      flushing: running !== null,
      lastError,
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (flushTimer !== null) timers.clearTimeout(flushTimer);
      flushTimer = null;
      await keeper.close(() => queue.length === 0 && dropped === 0);
    },
  };
}
