import { FactoredError } from '../errors.js';
import type { KVStorage } from '../util/kv.js';
import type { CaptureAdapter } from './adapter.js';
import type { RetryOptions } from './backoff.js';
import {
  type CustomEventPayload,
  customEventPayload,
  DEFAULT_TRACK_PATH,
  type EventProperties,
} from './custom.js';
import { createSessionManager } from './session.js';
import type { ComponentPath, EventPayload, EventType, Platform, SessionMetadata } from './types.js';
import { createWebAdapter, type WebAdapterOptions } from './web.js';
import {
  type CaptureStore,
  createEventWriter,
  type EventWriterPhase,
  type EventWriterStats,
  type FlushResult,
} from './writer.js';

/** Where a problem reported to {@link InitCaptureOptions.onError} came from. */
export type CapturePhase = EventWriterPhase | 'capture' | 'session';

/**
 * Options of {@link initCapture}. The web adapter's thresholds ({@link WebAdapterOptions}) may
 * be given here directly; they apply when `initCapture` creates the web adapter itself.
 */
export interface InitCaptureOptions extends WebAdapterOptions {
  /** Where events and sessions go. */
  store: CaptureStore;
  /**
   * The platform adapter. Default: {@link createWebAdapter} with these options when a DOM
   * exists, none otherwise. `null`: no automatic capture, manual tracking only.
   */
  adapter?: CaptureAdapter | null;
  /** Platform recorded in session metadata. Default: the adapter's, else `web` / `server`. */
  platform?: Platform;
  /** App version recorded in session metadata (targeting rules compare it version-aware). */
  appVersion?: string;
  /** More session metadata (plain JSON), merged over the adapter's. */
  metadata?: Partial<SessionMetadata>;
  /** The user of the events. Default: the store's identity. */
  userId?: string;
  /** Inactivity (ms) after which a new session starts. Default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Events per write. Default 50. */
  batchSize?: number;
  /** Most queued events; the oldest are dropped (and counted) beyond it. Default 1000. */
  maxQueueSize?: number;
  /** Most characters of serialized events queued; the oldest are dropped beyond it. Default 1,000,000. */
  maxQueueBytes?: number;
  /** Every store call counts as failed after this long (ms) and is retried. Default 10000. */
  storeTimeoutMs?: number;
  /** Automatic flush delay after the first queued event, in ms. Default 5000. */
  flushIntervalMs?: number;
  /** Backoff of failed writes. Defaults: 1 s doubling up to 60 s, with jitter. */
  retry?: RetryOptions;
  /**
   * Session and queue persistence. Default: the adapter's (web: `localStorage`); `null` for
   * none.
   */
  storage?: KVStorage | null;
  /** Receives failures capture handles by itself (retried writes, storage, adapter errors). */
  onError?: (error: unknown, info: { phase: CapturePhase }) => void;
  /** Called when queued events are dropped because the queue is full. */
  onDrop?: (count: number, totalDropped: number) => void;
}

/** Options of {@link CaptureHandle.track} for a custom event. */
export interface TrackOptions {
  /**
   * Where it happened. Default: the path of the last `trackNavigation`, else
   * `DEFAULT_TRACK_PATH` (`app`).
   */
  path?: ComponentPath;
}

/** Counters of a running capture. */
export interface CaptureStats extends EventWriterStats {
  /** Whether {@link CaptureHandle.stopCapture} has been called. */
  stopped: boolean;
}

/**
 * A running capture. Tracking calls validate synchronously and throw `invalid_input` for bad
 * input (unknown type, bad path, non-JSON payload) without touching what is queued; after
 * {@link stopCapture} they are ignored and return `null`.
 */
export interface CaptureHandle {
  /** Settles once persisted session and queue state have been read. */
  readonly ready: Promise<void>;
  /** Stops listening, then flushes and persists the queue. Idempotent. */
  stopCapture(): Promise<FlushResult>;
  /** Writes everything queued now (see {@link EventWriter.flush}). */
  flushEvents(): Promise<FlushResult>;
  /** The current session id (a new one after the inactivity timeout). */
  getSessionId(): string;
  /**
   * Records a `navigation` to `path` (the screen now shown) and makes it the path of page-level
   * events. `payload.action = "complete"` marks a completed flow (completion_rate).
   * Returns the event id.
   */
  trackNavigation(
    path: ComponentPath,
    /** The event payload; a string is the 0.5.1 form and is recorded as `{ action }`. */
    payload?: EventPayload | string,
  ): string | null;
  /**
   * Records an `impression` of the component at `path` (it became visible). Structural factors
   * read `payload.component_depth`, `sibling_count` and `form_field_count`. Returns the event id.
   */
  trackImpression(path: ComponentPath, payload?: EventPayload): string | null;
  /**
   * Records a custom event `name` with numeric `properties` (for example
   * `track('purchase', { revenue: 42.5 })`), stored as type `custom` with payload
   * `{ name, properties }` on the current path; metrics count and sum these. Throws
   * `invalid_input` for a bad name (a built-in event type, too long, odd characters) or a
   * property that is not a finite number. Returns the event id.
   */
  track(name: string, properties?: EventProperties, options?: TrackOptions): string | null;
  /**
   * Records any event type at `path` (the low-level form: the second argument is a path).
   * Returns the event id.
   */
  track(type: EventType, path: ComponentPath, payload?: EventPayload): string | null;
  /** Queue and delivery counters. */
  getStats(): CaptureStats;
}

const hasDom = () =>
  typeof (globalThis as { window?: unknown }).window !== 'undefined' &&
  typeof (globalThis as { document?: unknown }).document !== 'undefined';

/**
 * Starts capture: sessions, the durable event writer and (in a browser) the web adapter.
 * SSR-safe: on a server, without an adapter, it still records manual `track*` calls.
 *
 * @example
 * ```ts
 * const capture = initCapture({ store, appVersion: '2.3.0' });
 * capture.trackNavigation('checkout/review');
 * capture.trackImpression('checkout/review/payment-form', { form_field_count: 4 });
 * // later, e.g. on sign-out
 * await capture.stopCapture();
 * ```
 */
export function initCapture(options: InitCaptureOptions): CaptureHandle {
  const { store, appVersion, onError = () => {}, now = Date.now } = options;
  // 0.5.1 names and implementations fail or are mapped here, never ignored.
  // One fixed message, not a computed list: this module's size is budgeted.
  if (
    typeof store?.getIdentity !== 'function' ||
    (options.adapter && typeof options.adapter.start !== 'function')
  ) {
    throw new FactoredError(
      'legacy_call',
      'initCapture: a 0.5.1 store or adapter (MIGRATING.md, rows 13-14)',
    );
  }
  const legacyBatch = (options as { flushBatchSize?: number }).flushBatchSize;
  const batchSize = options.batchSize ?? legacyBatch;
  const adapter =
    options.adapter === undefined ? (hasDom() ? createWebAdapter(options) : null) : options.adapter;
  const platform = options.platform ?? adapter?.platform ?? (hasDom() ? 'web' : 'server');
  const storage = (kind: 'sessionStorage' | 'queueStorage') =>
    options.storage === null ? undefined : (options.storage ?? adapter?.[kind]);

  const writer = createEventWriter({
    store,
    userId: options.userId,
    storage: storage('queueStorage'),
    batchSize,
    maxQueueSize: options.maxQueueSize,
    maxQueueBytes: options.maxQueueBytes,
    storeTimeoutMs: options.storeTimeoutMs,
    locks: adapter?.locks,
    flushIntervalMs: options.flushIntervalMs,
    retry: options.retry,
    now,
    onError: (error, info) => onError(error, { phase: info.phase }),
    onDrop: options.onDrop,
  });
  const sessions = createSessionManager({
    storage: storage('sessionStorage'),
    inactivityTimeoutMs: options.sessionTimeoutMs,
    now,
    metadata: () => ({
      ...adapter?.sessionMetadata(),
      ...options.metadata,
      platform,
      ...(appVersion === undefined ? {} : { appVersion }),
    }),
    onSessionStart: (session) => writer.startSession(session),
    onError: (error) => onError(error, { phase: 'session' }),
  });

  let stopped: Promise<FlushResult> | null = null;
  let currentPath: ComponentPath | null = null;

  const record = (
    type: EventType,
    path: ComponentPath,
    payload: EventPayload | undefined,
    at = now(),
  ): string | null => {
    if (stopped) return null;
    const sessionId = sessions.touch(at);
    return writer.enqueue({ sessionId, type, path, payload, createdAt: at }).id;
  };

  adapter?.start(
    (event) => {
      try {
        record(event.type, event.path, event.payload, event.at);
      } catch (error) {
        onError(error, { phase: 'capture' });
      }
    },
    { currentPath: () => currentPath },
  );
  const removeUnloadHook = adapter?.onUnload?.(() => {
    // After the adapter's own microtask, so the `visibility: hidden` event that the same DOM
    // event produced is part of the keepalive write.
    queueMicrotask(() => {
      sessions.persist();
      writer.flushOnHide();
    });
  });

  return {
    ready: Promise.all([writer.ready, sessions.ready]).then(() => undefined),
    stopCapture() {
      stopped ??= (async () => {
        adapter?.stop();
        removeUnloadHook?.();
        sessions.persist();
        const result = await writer.flush();
        await writer.close();
        return result;
      })();
      return stopped;
    },
    flushEvents: () => writer.flush(),
    getSessionId: () => sessions.getSessionId(),
    trackNavigation(path, payload) {
      // 0.5.1 overload: trackNavigation(path, 'start' | 'complete') recorded { action }.
      const id = record(
        'navigation',
        path,
        typeof payload === 'string' ? { action: payload } : payload,
      );
      if (id) currentPath = path;
      return id;
    },
    trackImpression: (path, payload) => record('impression', path, payload),
    track(
      nameOrType: string,
      second?: EventProperties | ComponentPath,
      third?: EventPayload | TrackOptions,
    ) {
      if (typeof second === 'string')
        return record(nameOrType as EventType, second, third as EventPayload | undefined);
      const payload: CustomEventPayload = customEventPayload(nameOrType, second);
      const path = (third as TrackOptions | undefined)?.path ?? currentPath ?? DEFAULT_TRACK_PATH;
      return record('custom', path, { name: payload.name, properties: { ...payload.properties } });
    },
    getStats: () => ({ ...writer.getStats(), stopped: stopped !== null }),
  };
}
