import { assertInput, FactoredError } from '../errors.js';
import { createRandomId, isUuid } from '../util/ids.js';
import type { KVStorage } from '../util/kv.js';
import { parseJson, readStored, writeStored } from './storage.js';
import type { SessionMetadata, SessionRecord } from './types.js';

/** Default inactivity after which the next activity starts a new session: 30 minutes. */
export const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60 * 1000;
/** Default key of the persisted session. */
export const DEFAULT_SESSION_STORAGE_KEY = 'factoredui:capture-session';
// Activity is persisted at most this often: `touch` runs for every event, a storage write
// per event would put serialization on the hot path. `persist()` (page hide) writes at once.
const PERSIST_EVERY_MS = 5000;

/** Options of {@link createSessionManager}. */
export interface SessionManagerOptions {
  /** Where the current session survives reloads (web: `localStorage`). Default: memory only. */
  storage?: KVStorage | undefined;
  /** Key in `storage`. Default `factoredui:capture-session`. */
  storageKey?: string;
  /** Inactivity (ms) after which the next activity starts a new session. Default 30 min. */
  inactivityTimeoutMs?: number;
  /** Metadata recorded once per session. Default `{ platform: 'web' }`. */
  metadata?: () => SessionMetadata;
  /**
   * Called when a session becomes current: a new one (`resumed: false`) or one restored from
   * storage after a reload (`resumed: true`). `initCapture` registers it with the event
   * writer, which records it in the store (idempotently) before its first event.
   */
  onSessionStart?: (session: SessionRecord, info: { resumed: boolean }) => void;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Receives storage failures (quota, private mode); capture goes on in memory. */
  onError?: (error: unknown) => void;
}

/** Session bookkeeping of the capture pipeline. */
export interface SessionManager {
  /** Settles once a persisted session (if any) has been read. Sync storages are read at once. */
  readonly ready: Promise<void>;
  /**
   * The id of the session current at `at` (default now). Starts a new session when there is
   * none or the last activity is older than the inactivity timeout; does not count as activity.
   */
  getSessionId(at?: number): string;
  /** The current session record (starting one when needed, as {@link getSessionId}). */
  getSession(at?: number): SessionRecord;
  /** Records activity at `at` (default now) and returns the id of the session it belongs to. */
  touch(at?: number): string;
  /** Writes the session and its last activity to storage now (call on page hide). */
  persist(): void;
  /** Ends the current session: the next activity starts a new one (e.g. on sign-out). */
  endSession(): void;
}

interface Current {
  record: SessionRecord;
  lastActivityAt: number;
  /** Whether `onSessionStart` has been called for it in this run. */
  announced: boolean;
  /** Restored from storage rather than started in this run. */
  resumed: boolean;
}

interface PersistedSession extends SessionRecord {
  lastActivityAt: number;
}

function isPersistedSession(value: unknown): value is PersistedSession {
  const v = value as Partial<PersistedSession> | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    isUuid(v.id) &&
    typeof v.startedAt === 'string' &&
    typeof v.lastActivityAt === 'number' &&
    typeof v.metadata === 'object' &&
    v.metadata !== null
  );
}

/**
 * Creates the session bookkeeping of capture: random (UUIDv4) session ids, a new session after
 * `inactivityTimeoutMs` without activity, the current session persisted so a reload within
 * the timeout continues it.
 *
 * @example
 * ```ts
 * const sessions = createSessionManager({
 *   storage: window.localStorage,
 *   metadata: () => ({ platform: 'web', userAgent: navigator.userAgent }),
 *   onSessionStart: (session) => writer.startSession(session),
 * });
 * const sessionId = sessions.touch();
 * ```
 */
export function createSessionManager(options: SessionManagerOptions = {}): SessionManager {
  // 0.5.1: createSessionManager(store, adapter, platform, timeoutMs).
  if (typeof (options as { insertEvents?: unknown }).insertEvents === 'function')
    throw new FactoredError(
      'legacy_call',
      'createSessionManager(store, …) is 0.5.1: use createSessionManager({ storage, inactivityTimeoutMs, metadata }) or initCapture',
    );
  const {
    storage,
    storageKey = DEFAULT_SESSION_STORAGE_KEY,
    inactivityTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS,
    metadata = () => ({ platform: 'web' }),
    onSessionStart,
    now = Date.now,
    onError = () => {},
  } = options;
  assertInput(
    Number.isFinite(inactivityTimeoutMs) && inactivityTimeoutMs > 0,
    `inactivityTimeoutMs must be a positive number of milliseconds, got ${inactivityTimeoutMs}.`,
    { field: 'inactivityTimeoutMs' },
  );

  let current: Current | null = null;
  let persistedAt = Number.NEGATIVE_INFINITY;

  const persist = () => {
    if (!current) return;
    persistedAt = now();
    const stored: PersistedSession = { ...current.record, lastActivityAt: current.lastActivityAt };
    writeStored(storage, storageKey, JSON.stringify(stored), onError);
  };

  const ensure = (at: number): Current => {
    if (!current || at - current.lastActivityAt > inactivityTimeoutMs) {
      current = {
        record: {
          id: createRandomId(),
          startedAt: new Date(at).toISOString(),
          metadata: metadata(),
        },
        lastActivityAt: at,
        announced: false,
        resumed: false,
      };
      persist();
    }
    if (!current.announced) {
      current.announced = true;
      onSessionStart?.(current.record, { resumed: current.resumed });
    }
    return current;
  };

  const ready = readStored(
    storage,
    storageKey,
    (raw) => {
      const stored = parseJson(raw);
      // A session already handed out in this run wins over a late async read.
      if (current?.announced || !isPersistedSession(stored)) return;
      if (now() - stored.lastActivityAt > inactivityTimeoutMs) return;
      const { lastActivityAt, ...record } = stored;
      current = { record, lastActivityAt, announced: false, resumed: true };
    },
    onError,
  );

  return {
    ready,
    getSessionId: (at = now()) => ensure(at).record.id,
    getSession: (at = now()) => ensure(at).record,
    touch(at = now()) {
      const session = ensure(at);
      if (at > session.lastActivityAt) session.lastActivityAt = at;
      if (now() - persistedAt >= PERSIST_EVERY_MS) persist();
      return session.record.id;
    },
    persist,
    endSession() {
      current = null;
      writeStored(storage, storageKey, null, onError);
    },
  };
}
