import type { KVStorage } from '../util/kv.js';
import type { CaptureLocks } from './ownership.js';
import type { ComponentPath, EventPayload, EventType, Platform, SessionMetadata } from './types.js';

/** One interaction observed by a {@link CaptureAdapter}, before it gets ids and a session. */
export interface CapturedEvent {
  /** What happened. */
  type: EventType;
  /** Where it happened. */
  path: ComponentPath;
  /** Event details. Never a typed value. */
  payload?: EventPayload;
  /**
   * When it happened, epoch milliseconds. Default: when the pipeline receives it. Detectors
   * that decide later (a dead click is known 2.5 s after the click) pass the original time.
   */
  at?: number;
}

/** Receives the events of an adapter. Never throws into the adapter. */
export type CaptureEmit = (event: CapturedEvent) => void;

/** What the pipeline tells an adapter when it starts it. */
export interface CaptureAdapterContext {
  /**
   * The path of the screen the user is on, as last given to `trackNavigation`, or `null`.
   * Adapters use it for page-level events (window scroll, resize, errors, visibility) that
   * have no element to take a path from.
   */
  currentPath(): ComponentPath | null;
}

/**
 * The platform contract of capture: everything `initCapture` needs from a platform (web now,
 * React Native later). An adapter is started at most once at a time.
 */
export interface CaptureAdapter {
  /** The platform recorded in session metadata. */
  readonly platform: Platform;
  /** Starts listening; every observed interaction goes to `emit`. */
  start(emit: CaptureEmit, context: CaptureAdapterContext): void;
  /** Stops listening and releases every listener, observer and timer. */
  stop(): void;
  /** Metadata recorded once per session (viewport, user agent, locale...). */
  sessionMetadata(): SessionMetadata;
  /** Where the current session id survives reloads (web: `localStorage`). */
  readonly sessionStorage?: KVStorage | undefined;
  /**
   * Where the event queue survives reloads and crashes (web: `localStorage`; React Native: an
   * async key-value storage). Each tab keeps its own queue in it.
   */
  readonly queueStorage?: KVStorage | undefined;
  /**
   * Locks that the platform releases when a tab dies (web: `navigator.locks`), so a tab adopts
   * the queue of a crashed tab and never that of a live one. Without them a lease with a
   * heartbeat decides.
   */
  readonly locks?: CaptureLocks | undefined;
  /**
   * Calls `callback` when the app is about to be hidden or unloaded (web: `visibilitychange`
   * to hidden, `pagehide`), so queued events can be persisted and sent with keepalive
   * semantics. Returns a function that removes the hook.
   */
  onUnload?(callback: () => void): () => void;
}
