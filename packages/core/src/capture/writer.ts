import { FactoredError, isFactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import { createEventId, isUuid } from '../util/ids.js';
import type { KVStorage } from '../util/kv.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import { type RetryOptions, retryDelay } from './backoff.js';
import { parseJson, readStored, writeStored } from './storage.js';
import {
  type ComponentPath,
  EVENT_TYPES,
  type EventPayload,
  type EventType,
  type FactoredEvent,
  type SessionRecord,
} from './types.js';
import { componentPathProblem, isEventType, payloadProblem } from './validate.js';

/** What the event writer needs of a store. */
export type CaptureStore = Pick<FactoredStore, 'getIdentity' | 'startSession' | 'insertEvents'>;

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

/** A queued event: a {@link FactoredEvent} whose user is attached when it is written. */
export type QueuedEvent = Omit<FactoredEvent, 'userId'>;

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
  /** Events dropped, oldest first, because the queue was full. Survives reloads. */
  dropped: number;
  /** Events written by this writer. */
  written: number;
  /** Events the store refused as invalid (`invalid_input`); they cannot ever be stored. */
  rejected: number;
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
  /** Where the queue survives reloads and crashes (web: `localStorage`). Default: memory only. */
  storage?: KVStorage | undefined;
  /** Key in `storage`. Default `factoredui:capture-queue`. */
  storageKey?: string;
  /** Events per `insertEvents` call. Default 50. */
  batchSize?: number;
  /** Most events held; beyond it the oldest are dropped and counted. Default 1000. */
  maxQueueSize?: number;
  /** Automatic flush this long after the first queued event, in ms. Default 5000. */
  flushIntervalMs?: number;
  /** Flush automatically (interval, full batch, retries). Default `true`. */
  autoFlush?: boolean;
  /** Backoff of failed writes. */
  retry?: RetryOptions;
  /** Queue changes are persisted at most this often, in ms. Default 1000. */
  persistDelayMs?: number;
  /** Largest serialized body of the page-hide write (keepalive limit is 64 kB). Default 60000. */
  keepaliveMaxChars?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Random source of the retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Receives every failure the writer handles by itself (retried writes, storage errors). */
  onError?: (error: unknown, info: { phase: EventWriterPhase; events: number }) => void;
  /** Called when events are dropped because the queue is full. */
  onDrop?: (count: number, totalDropped: number) => void;
}

/**
 * The durable, idempotent event queue of capture. Events get a client id (UUIDv7) and time at
 * enqueue, are written in batches with `insertEvents` (a retried batch never duplicates a row),
 * retried with exponential backoff and jitter, and persisted so a reload drains them.
 */
export interface EventWriter {
  /** Settles once the persisted queue (if any) has been loaded. */
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
   * For page hide/unload: persists the queue synchronously (for a synchronous storage) and
   * sends what is queued with `keepalive`, best effort. Events stay queued until the store
   * confirms them, so a write the browser cancels is drained on the next start.
   */
  flushOnHide(): void;
  /** Current counters. */
  getStats(): EventWriterStats;
  /** Stops timers and persists the queue. Does not flush; call {@link flush} first for that. */
  close(): void;
}

/** Default key of the persisted queue. */
export const DEFAULT_QUEUE_STORAGE_KEY = 'factoredui:capture-queue';

interface PersistedQueue {
  v: 1;
  events: QueuedEvent[];
  sessions: SessionRecord[];
  dropped: number;
}

interface SessionEntry {
  record: SessionRecord;
  /** Recorded in the store during this run. */
  confirmed: boolean;
}

const invalid = (message: string, field: string) =>
  new FactoredError('invalid_input', message, { details: { field } });

function positive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw invalid(`${field} must be a positive number, got ${value}.`, field);
  return value;
}

/**
 * Creates an {@link EventWriter}.
 *
 * @example
 * ```ts
 * const writer = createEventWriter({ store, storage: window.localStorage });
 * writer.startSession({ id: sessionId, startedAt: new Date().toISOString(), metadata: { platform: 'web' } });
 * writer.enqueue({ sessionId, type: 'click', path: 'shop/cart/checkout-button' });
 * await writer.flush();
 * ```
 */
export function createEventWriter(options: EventWriterOptions): EventWriter {
  const {
    store,
    storage,
    storageKey = DEFAULT_QUEUE_STORAGE_KEY,
    autoFlush = true,
    retry = {},
    now = Date.now,
    random = Math.random,
    onError = () => {},
    onDrop,
  } = options;
  const batchSize = Math.floor(positive(options.batchSize ?? 50, 'batchSize'));
  const maxQueueSize = Math.floor(positive(options.maxQueueSize ?? 1000, 'maxQueueSize'));
  const flushIntervalMs = positive(options.flushIntervalMs ?? 5000, 'flushIntervalMs');
  const persistDelayMs = options.persistDelayMs ?? 1000;
  const keepaliveMaxChars = positive(options.keepaliveMaxChars ?? 60_000, 'keepaliveMaxChars');

  /** Oldest first. */
  let queue: QueuedEvent[] = [];
  /** Ids of events some write is carrying right now; they are not sent twice at once. */
  const inFlight = new Set<string>();
  const sessions = new Map<string, SessionEntry>();
  let dropped = 0;
  let written = 0;
  let rejected = 0;
  let failures = 0;
  let nextRetryAt: number | null = null;
  let lastError: unknown = null;
  let closed = false;
  let userId: Promise<string> | null = null;
  let drainOnStart = false;

  // ---- persistence -------------------------------------------------------------------------

  let persistTimer: ReturnType<typeof setTimeout> | null = null;
  const reportPersist = (error: unknown) => onError(error, { phase: 'persist', events: 0 });

  const persistNow = () => {
    if (persistTimer) {
      clearTimeout(persistTimer);
      persistTimer = null;
    }
    if (!storage) return;
    if (queue.length === 0 && dropped === 0) {
      writeStored(storage, storageKey, null, reportPersist);
      return;
    }
    const used = new Set(queue.map((event) => event.sessionId));
    const snapshot: PersistedQueue = {
      v: 1,
      events: queue,
      sessions: [...sessions.values()].filter((s) => used.has(s.record.id)).map((s) => s.record),
      dropped,
    };
    writeStored(storage, storageKey, JSON.stringify(snapshot), reportPersist);
  };

  const schedulePersist = () => {
    if (!storage || persistTimer || closed) return;
    persistTimer = setTimeout(persistNow, persistDelayMs);
    unref(persistTimer);
  };

  const load = (raw: string | null) => {
    const parsed = parseJson(raw) as Partial<PersistedQueue> | undefined;
    if (parsed?.v !== 1 || !Array.isArray(parsed.events)) return;
    for (const session of Array.isArray(parsed.sessions) ? parsed.sessions : []) {
      if (isUuid(session?.id) && !sessions.has(session.id))
        sessions.set(session.id, { record: session, confirmed: false });
    }
    // Keep persisted events whose session is known (anything else could never be written),
    // older than what this run has queued already, without repeating an id.
    const writable = parsed.events.filter(
      (event) => isUuid(event?.id) && sessions.has(event.sessionId),
    );
    const known = new Set(queue.map((event) => event.id));
    const restored = writable.filter((event) => !known.has(event.id));
    const lost = parsed.events.length - writable.length;
    if (lost > 0) {
      rejected += lost;
      onError(
        new FactoredError(
          'internal',
          `${lost} persisted events had no session and were discarded.`,
        ),
        { phase: 'load', events: lost },
      );
    }
    queue = restored.concat(queue);
    drainOnStart = restored.length > 0;
    dropped += typeof parsed.dropped === 'number' ? parsed.dropped : 0;
    trimToCapacity();
  };

  // ---- queue -------------------------------------------------------------------------------

  /** Drops the oldest events not in flight until the queue fits. */
  function trimToCapacity(): void {
    let excess = queue.length - maxQueueSize;
    if (excess <= 0) return;
    const kept: QueuedEvent[] = [];
    let removed = 0;
    for (const event of queue) {
      if (excess > 0 && !inFlight.has(event.id)) {
        excess -= 1;
        removed += 1;
      } else kept.push(event);
    }
    queue = kept;
    if (removed > 0) {
      dropped += removed;
      onDrop?.(removed, dropped);
    }
  }

  const removeWritten = (ids: ReadonlySet<string>) => {
    // Batches come from the head of the queue: usually a cheap splice, a filter otherwise.
    let head = 0;
    while (head < queue.length && ids.has((queue[head] as QueuedEvent).id)) head += 1;
    if (head === ids.size) queue.splice(0, head);
    else queue = queue.filter((event) => !ids.has(event.id));
  };

  /** The oldest events no write is carrying, at most `limit`. */
  const nextBatch = (limit: number): QueuedEvent[] => {
    const batch: QueuedEvent[] = [];
    for (const event of queue) {
      if (batch.length === limit) break;
      if (!inFlight.has(event.id)) batch.push(event);
    }
    return batch;
  };

  // ---- automatic flushing ------------------------------------------------------------------

  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let flushDueAt = Number.POSITIVE_INFINITY;

  const scheduleFlush = (at: number) => {
    if (!autoFlush || closed) return;
    const due = Math.max(at, nextRetryAt ?? at);
    // An earlier timer is kept unless it would fire inside the backoff.
    if (flushTimer && flushDueAt <= due && flushDueAt >= (nextRetryAt ?? flushDueAt)) return;
    if (flushTimer) clearTimeout(flushTimer);
    flushDueAt = due;
    flushTimer = setTimeout(
      () => {
        flushTimer = null;
        flushDueAt = Number.POSITIVE_INFINITY;
        // Automatic flushes wait out the backoff; only an explicit flush() skips it.
        if (nextRetryAt !== null && now() < nextRetryAt) scheduleFlush(nextRetryAt);
        else void flush();
      },
      Math.max(0, due - now()),
    );
    unref(flushTimer);
  };

  // ---- writing -----------------------------------------------------------------------------

  const resolveUserId = (): Promise<string> => {
    userId ??= (async () => {
      const id = options.userId ?? (await store.getIdentity()).userId;
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

  /** Records the sessions of `events` that this run has not yet confirmed. */
  const ensureSessions = async (events: readonly QueuedEvent[], user: string, force = false) => {
    const ids = new Set(events.map((event) => event.sessionId));
    for (const id of ids) {
      const entry = sessions.get(id);
      if (!entry || (entry.confirmed && !force)) continue;
      await store.startSession({ ...entry.record, userId: user });
      entry.confirmed = true;
    }
  };

  /** Writes one batch, recovering once from a session the store does not know. */
  const writeBatch = async (batch: readonly QueuedEvent[], keepalive: boolean) => {
    const user = await resolveUserId();
    const rows = batch.map((event) => ({ ...event, userId: user }));
    const insert = () =>
      keepalive ? store.insertEvents(rows, { keepalive: true }) : store.insertEvents(rows);
    await ensureSessions(batch, user);
    try {
      await insert();
    } catch (error) {
      if (!isFactoredError(error, 'not_found')) throw error;
      await ensureSessions(batch, user, true);
      await insert();
    }
  };

  /**
   * A batch the store refuses as invalid is written one event at a time so only the bad event
   * is given up (it could never be stored) and the others still arrive.
   */
  const isolateInvalid = async (batch: readonly QueuedEvent[]) => {
    for (const event of batch) {
      try {
        await writeBatch([event], false);
        written += 1;
      } catch (error) {
        if (!isFactoredError(error, 'invalid_input')) throw error;
        rejected += 1;
        onError(error, { phase: 'reject', events: 1 });
      }
      removeWritten(new Set([event.id]));
    }
  };

  const flushOnce = async (): Promise<FlushResult> => {
    await ready;
    let writtenNow = 0;
    // Events queued during this flush are taken too; the loop ends when nothing is left.
    for (;;) {
      const batch = nextBatch(batchSize);
      if (batch.length === 0) break;
      const ids = new Set(batch.map((event) => event.id));
      for (const id of ids) inFlight.add(id);
      try {
        try {
          await writeBatch(batch, false);
          written += batch.length;
          writtenNow += batch.length;
          removeWritten(ids);
        } catch (error) {
          if (!isFactoredError(error, 'invalid_input')) throw error;
          const before = written;
          await isolateInvalid(batch);
          writtenNow += written - before;
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
        return { ok: false, written: writtenNow, remaining: queue.length, error };
      } finally {
        for (const id of ids) inFlight.delete(id);
      }
    }
    return { ok: true, written: writtenNow, remaining: queue.length };
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
    persistNow();
    if (closed) return;
    // One keepalive request of bounded size, with what no other write is carrying.
    const batch: QueuedEvent[] = [];
    let chars = 2;
    for (const event of queue) {
      if (inFlight.has(event.id)) continue;
      chars += JSON.stringify(event).length + 60; // + user id and separators
      if (chars > keepaliveMaxChars && batch.length > 0) break;
      batch.push(event);
    }
    if (batch.length === 0) return;
    const ids = new Set(batch.map((event) => event.id));
    for (const id of ids) inFlight.add(id);
    void (async () => {
      try {
        await ready;
        await writeBatch(batch, true);
        written += batch.length;
        removeWritten(ids);
        schedulePersist();
      } catch (error) {
        onError(error, { phase: 'write', events: batch.length });
      } finally {
        for (const id of ids) inFlight.delete(id);
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
    if (queue.length > maxQueueSize) trimToCapacity();
    schedulePersist();
    const waiting = queue.length - inFlight.size;
    scheduleFlush(waiting >= batchSize ? now() : now() + flushIntervalMs);
    return event;
  };

  const ready = readStored(storage, storageKey, load, (error) =>
    onError(error, { phase: 'load', events: 0 }),
  ).then(() => {
    // Drain what a previous run left behind right away; new events wait for the interval.
    if (drainOnStart) scheduleFlush(now());
  });

  return {
    ready,
    startSession(session) {
      if (typeof session !== 'object' || session === null || !isUuid(session.id))
        throw invalid(
          `session id must be a UUID, got ${JSON.stringify(session?.id)}.`,
          'session.id',
        );
      if (!sessions.has(session.id))
        sessions.set(session.id, { record: session, confirmed: false });
    },
    enqueue,
    flush,
    flushOnHide,
    getStats: () => ({
      queued: queue.length,
      dropped,
      written,
      rejected,
      failures,
      nextRetryAt,
      flushing: running !== null,
      lastError,
    }),
    close() {
      closed = true;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      persistNow();
    },
  };
}

/** Keeps a pending timer from holding a Node process open (no-op in browsers). */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
