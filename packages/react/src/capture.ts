import {
  assertComponentPath,
  type CaptureHandle,
  type CaptureStats,
  type ComponentPath,
  customEventPayload,
  DEFAULT_TRACK_PATH,
  type EventPayload,
  type EventProperties,
  type EventType,
  FactoredError,
  type FactoredStore,
  type FlushResult,
  type InitCaptureOptions,
  initCapture,
  payloadProblem,
  type TrackOptions,
} from '@factoredui/core';

/**
 * Capture as React components see it (`useCapture()`): the running {@link CaptureHandle} of
 * the provider's store, usable from the first render. Calls made before capture starts (child
 * effects run before the provider's) are validated at once and replayed when it starts; on
 * the server and with capture disabled they are ignored.
 */
export interface ReactCapture {
  /** True while a capture is running for this provider. */
  readonly active: boolean;
  /** Records a `navigation` (see {@link CaptureHandle.trackNavigation}); `null` until active. */
  trackNavigation(path: ComponentPath, payload?: EventPayload): string | null;
  /** Records an `impression` (see {@link CaptureHandle.trackImpression}); `null` until active. */
  trackImpression(path: ComponentPath, payload?: EventPayload): string | null;
  /**
   * Records a custom event with numeric properties, e.g. `track('purchase', { revenue: 42.5 })`
   * (see {@link CaptureHandle.track}); `null` until active.
   */
  track(name: string, properties?: EventProperties, options?: TrackOptions): string | null;
  /** Records any event type at a path (see {@link CaptureHandle.track}); `null` until active. */
  track(type: EventType, path: ComponentPath, payload?: EventPayload): string | null;
  /** Writes everything queued now. Resolves with an empty result when capture is not running. */
  flushEvents(): Promise<FlushResult>;
  /** The current capture session id, or `null` when capture is not running. */
  getSessionId(): string | null;
  /** Queue and delivery counters, or `null` when capture is not running. */
  getStats(): CaptureStats | null;
}

/** The bridge behind {@link ReactCapture}: the provider attaches and detaches the handle. */
export interface CaptureBridge extends ReactCapture {
  attach(handle: CaptureHandle): void;
  detach(): void;
}

/** Calls kept before capture starts; enough for the impressions of a first screen. */
const MAX_PENDING = 200;

const IDLE_FLUSH: FlushResult = { ok: true, written: 0, remaining: 0 };

/** Creates the {@link CaptureBridge} of one provider. */
export function createCaptureBridge(): CaptureBridge {
  let handle: CaptureHandle | null = null;
  let pending: ((handle: CaptureHandle) => void)[] = [];

  const call = (
    type: EventType,
    path: ComponentPath,
    payload: EventPayload | undefined,
    run: (handle: CaptureHandle) => string | null,
  ): string | null => {
    if (handle) return run(handle);
    // Fail now, in the caller's stack, rather than when the call is replayed.
    assertComponentPath(path);
    const problem = payload === undefined ? null : payloadProblem(payload);
    if (problem) throw new FactoredError('invalid_input', `${type} payload: ${problem}.`);
    if (pending.length < MAX_PENDING) pending.push((h) => void run(h));
    return null;
  };

  return {
    get active() {
      return handle !== null;
    },
    trackNavigation: (path, payload) =>
      call('navigation', path, payload, (h) => h.trackNavigation(path, payload)),
    trackImpression: (path, payload) =>
      call('impression', path, payload, (h) => h.trackImpression(path, payload)),
    track(
      nameOrType: string,
      second?: EventProperties | ComponentPath,
      third?: EventPayload | TrackOptions,
    ): string | null {
      if (typeof second === 'string') {
        const type = nameOrType as EventType;
        const payload = third as EventPayload | undefined;
        return call(type, second, payload, (h) => h.track(type, second, payload));
      }
      // Validated now (in the caller's stack); the handle validates again when it runs.
      const { name, properties } = customEventPayload(nameOrType, second);
      const options = third as TrackOptions | undefined;
      const path = options?.path ?? DEFAULT_TRACK_PATH;
      return call('custom', path, { name, properties: { ...properties } }, (h) =>
        h.track(name, properties, options),
      );
    },
    flushEvents: () => (handle ? handle.flushEvents() : Promise.resolve(IDLE_FLUSH)),
    getSessionId: () => handle?.getSessionId() ?? null,
    getStats: () => handle?.getStats() ?? null,
    attach(next) {
      handle = next;
      const replay = pending;
      pending = [];
      for (const run of replay) run(next);
    },
    detach() {
      handle = null;
      pending = [];
    },
  };
}

interface RunningCapture {
  handle: CaptureHandle;
  refs: number;
  stopTimer: ReturnType<typeof setTimeout> | undefined;
}

/** One capture per store, however many providers (or StrictMode effect replays) use it. */
const running = new WeakMap<FactoredStore, RunningCapture>();

/**
 * Starts capture for `store`, or joins the one already running. Pair every call with
 * {@link releaseCapture}.
 */
export function retainCapture(
  store: FactoredStore,
  options: Omit<InitCaptureOptions, 'store'>,
): CaptureHandle {
  let entry = running.get(store);
  if (!entry) {
    entry = { handle: initCapture({ ...options, store }), refs: 0, stopTimer: undefined };
    running.set(store, entry);
  }
  clearTimeout(entry.stopTimer);
  entry.refs += 1;
  return entry.handle;
}

/**
 * Releases one use of the store's capture. The last release stops it (which flushes the
 * queue) on the next task, so StrictMode's unmount-and-remount keeps the same capture.
 * `onStopped` receives the final flush result.
 */
export function releaseCapture(
  store: FactoredStore,
  onStopped?: (result: FlushResult) => void,
  onError?: (error: unknown) => void,
): void {
  const entry = running.get(store);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  clearTimeout(entry.stopTimer);
  entry.stopTimer = setTimeout(() => {
    if (entry.refs > 0 || running.get(store) !== entry) return;
    running.delete(store);
    entry.handle.stopCapture().then(onStopped, onError);
  }, 0);
}

/** The session id of the capture running for `store`, if any. */
export function runningSessionId(store: FactoredStore): string | null {
  return running.get(store)?.handle.getSessionId() ?? null;
}
