import {
  type CaptureAdapter,
  type CaptureAdapterContext,
  type CaptureEmit,
  type CaptureLocks,
  type ComponentPath,
  createRageClickDetector,
  type EventPayload,
  FactoredError,
  type KVStorage,
  type RageBurst,
  type RageClickOptions,
  type SessionMetadata,
} from '@factoredui/core';
import { AppState, type AppStateStatus, Dimensions, Platform } from 'react-native';
import { createRuntimeLocks } from './locks.js';

/** React Native's global error hook (`ErrorUtils`), as the adapter uses it. */
export interface GlobalErrorUtils {
  getGlobalHandler(): (error: unknown, isFatal?: boolean) => void;
  setGlobalHandler(handler: (error: unknown, isFatal?: boolean) => void): void;
}

/** Options of {@link createReactNativeAdapter}. */
export interface ReactNativeAdapterOptions {
  /**
   * Where the session and the event queue survive restarts and crashes: AsyncStorage
   * (`@react-native-async-storage/async-storage`), MMKV behind the same three methods, or any
   * {@link KVStorage} (`getItem`, `setItem`, `removeItem`, synchronous or returning promises).
   * Without one, capture keeps its queue in memory only and a killed app loses what it had
   * not sent.
   */
  storage?: KVStorage | null;
  /**
   * Rage-touch thresholds on screen coordinates (dp), or `false`. Defaults: 3 taps on the same
   * path, each within 1000 ms and 30 dp of the previous; one `rage_click` event per burst.
   */
  rageTouch?: RageClickOptions | false;
  /**
   * A touch that moved farther than this (dp) between touch start and end is a scroll or a
   * swipe, not a tap, and is not recorded. Default 10.
   */
  tapSlop?: number;
  /**
   * Record uncaught JavaScript errors through React Native's global handler (`ErrorUtils`),
   * then call the handler that was installed before (the red box, the crash reporter).
   * Default `true`.
   */
  errors?: boolean;
  /** Record error messages (truncated to 300 characters). Default `true`. */
  errorMessages?: boolean;
  /** An error is attributed to the last touched path if it happened this recently (ms). Default 5000. */
  errorAttributionMs?: number;
  /** Metadata merged into every session's (for example `{ appVersion }` from expo-application). */
  metadata?: Partial<SessionMetadata>;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** One tap, as the native path components report it. */
export interface TouchInput {
  /** The path of the innermost path component under the finger. */
  path: ComponentPath;
  /** Screen coordinates of the touch end (`nativeEvent.pageX` / `pageY`), in dp. */
  x: number;
  y: number;
  /** When it happened, epoch ms. Default now. */
  at?: number;
}

/**
 * The React Native {@link CaptureAdapter}, plus the entry point of touches: the native path
 * components (`Flow`, `Page`, `Component`, `Element` of this package) call {@link touch} for
 * every tap inside them, so a tap is attributed to the innermost one.
 */
export interface ReactNativeAdapter extends CaptureAdapter {
  /**
   * Records a tap at `path` as a `click` event (`payload.input = "touch"`, coordinates) and
   * feeds the rage detector. Ignored while the adapter is not started.
   */
  touch(input: TouchInput): void;
  /** Whether capture is running on this adapter. */
  readonly started: boolean;
  /** Movement (dp) beyond which a touch is a scroll, not a tap (see the option). */
  readonly tapSlop: number;
}

const MAX_MESSAGE = 300;

function globalErrorUtils(): GlobalErrorUtils | undefined {
  const utils = (globalThis as { ErrorUtils?: Partial<GlobalErrorUtils> }).ErrorUtils;
  return typeof utils?.getGlobalHandler === 'function' &&
    typeof utils.setGlobalHandler === 'function'
    ? (utils as GlobalErrorUtils)
    : undefined;
}

const messageOf = (error: unknown): string | undefined => {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return undefined;
};

/**
 * Creates the capture adapter of a React Native app:
 * - **touches**: taps inside the native path components become `click` events on their path;
 *   a burst of taps close in time and place on one path gives one `rage_click`;
 * - **AppState**: going to the background records `visibility: hidden`, saves the session and
 *   flushes the queue (the app may be killed there without further notice); coming back
 *   records `visibility: visible` in the same session, or in a new one when the app stayed
 *   away longer than the session timeout;
 * - **errors**: uncaught JavaScript errors (`ErrorUtils`) become `error` events, attributed to
 *   the last touched path; a fatal one also saves and flushes before the previous handler runs;
 * - **durable queue**: session and queue go to `storage` (AsyncStorage-compatible), so events
 *   enqueued before a crash are sent after the restart, once.
 *
 * @example
 * ```tsx
 * import AsyncStorage from '@react-native-async-storage/async-storage';
 * const adapter = createReactNativeAdapter({ storage: AsyncStorage });
 * <FactoredProvider store={store} adapter={adapter}>...</FactoredProvider>
 * ```
 */
export function createReactNativeAdapter(
  options: ReactNativeAdapterOptions = {},
): ReactNativeAdapter {
  const {
    rageTouch,
    errors = true,
    errorMessages = true,
    errorAttributionMs = 5000,
    now = Date.now,
  } = options;
  const storage = options.storage ?? undefined;
  if (
    storage &&
    (typeof storage.getItem !== 'function' ||
      typeof storage.setItem !== 'function' ||
      typeof storage.removeItem !== 'function')
  ) {
    throw new FactoredError(
      'invalid_input',
      'createReactNativeAdapter: `storage` must have getItem, setItem and removeItem (AsyncStorage does); pass null to keep the queue in memory only.',
    );
  }
  const tapSlop = options.tapSlop ?? 10;
  if (!Number.isFinite(tapSlop) || tapSlop < 0) {
    throw new FactoredError(
      'invalid_input',
      `createReactNativeAdapter: tapSlop must be a non-negative number of dp, got ${tapSlop}.`,
    );
  }
  const locks: CaptureLocks = createRuntimeLocks();
  const unloadCallbacks = new Set<() => void>();

  let emit: CaptureEmit | null = null;
  let context: CaptureAdapterContext | null = null;
  let lastTouch: { path: ComponentPath; at: number } | null = null;
  let rageTimer: ReturnType<typeof setTimeout> | null = null;
  let appStateSubscription: { remove(): void } | null = null;
  let restoreErrors: (() => void) | null = null;
  let appState: AppStateStatus | null = null;
  const rage = rageTouch === false ? null : createRageClickDetector(rageTouch ?? {});

  const send = (
    type: 'click' | 'rage_click' | 'visibility' | 'error',
    path: ComponentPath,
    payload: EventPayload,
    at: number,
  ) => {
    emit?.({ type, path, payload, at });
  };

  const sendRage = (burst: RageBurst | null) => {
    if (!burst) return;
    send(
      'rage_click',
      burst.path,
      {
        input: 'touch',
        clicks: burst.clicks,
        duration_ms: burst.endedAt - burst.startedAt,
        x: burst.x,
        y: burst.y,
      },
      burst.endedAt,
    );
  };
  const armRageTimer = () => {
    if (rageTimer !== null) clearTimeout(rageTimer);
    rageTimer = null;
    const deadline = rage?.deadline();
    if (deadline == null) return;
    rageTimer = setTimeout(
      () => {
        rageTimer = null;
        sendRage(rage?.end(now()) ?? null);
        armRageTimer();
      },
      Math.max(0, deadline - now()) + 1,
    );
  };

  const hide = () => {
    for (const callback of unloadCallbacks) callback();
  };

  const onAppState = (next: AppStateStatus) => {
    // iOS passes through `inactive` (app switcher, control centre, a system dialog): neither
    // hidden nor back, so it is ignored.
    if (next !== 'active' && next !== 'background') return;
    if (next === appState) return;
    appState = next;
    const path = context?.currentPath() ?? lastTouch?.path ?? null;
    // The open burst cannot continue while the app is away.
    if (next === 'background') {
      sendRage(rage?.end() ?? null);
      armRageTimer();
    }
    if (path) send('visibility', path, { state: next === 'active' ? 'visible' : 'hidden' }, now());
    if (next === 'background') hide();
  };

  const installErrorHandler = () => {
    const utils = globalErrorUtils();
    if (!utils) return null;
    const previous = utils.getGlobalHandler();
    const handler = (error: unknown, isFatal?: boolean) => {
      try {
        const at = now();
        const path =
          lastTouch && at - lastTouch.at <= errorAttributionMs
            ? lastTouch.path
            : (context?.currentPath() ?? null);
        if (path) {
          const payload: EventPayload = { kind: 'error', fatal: isFatal === true };
          const message = errorMessages ? messageOf(error) : undefined;
          if (message) payload.message = message.slice(0, MAX_MESSAGE);
          send('error', path, payload, at);
        }
        // A fatal error ends the app: keep what is queued before the previous handler runs.
        if (isFatal) hide();
      } catch {
        // Capture must never stand between an error and the app's own handler.
      }
      previous(error, isFatal);
    };
    utils.setGlobalHandler(handler);
    return () => {
      // Only put the previous handler back if nobody replaced ours meanwhile.
      if (utils.getGlobalHandler() === handler) utils.setGlobalHandler(previous);
    };
  };

  const adapter: ReactNativeAdapter = {
    platform: Platform.OS,
    tapSlop,
    get started() {
      return emit !== null;
    },
    start(nextEmit, nextContext) {
      if (emit) {
        throw new FactoredError(
          'conflict',
          'This React Native adapter is already started; create one adapter per capture.',
        );
      }
      emit = nextEmit;
      context = nextContext;
      appState = AppState.currentState === 'background' ? 'background' : 'active';
      appStateSubscription = AppState.addEventListener('change', onAppState);
      restoreErrors = errors ? installErrorHandler() : null;
    },
    stop() {
      sendRage(rage?.end() ?? null);
      if (rageTimer !== null) clearTimeout(rageTimer);
      rageTimer = null;
      appStateSubscription?.remove();
      appStateSubscription = null;
      restoreErrors?.();
      restoreErrors = null;
      emit = null;
      context = null;
      lastTouch = null;
    },
    sessionMetadata() {
      const window = Dimensions.get('window');
      const metadata: SessionMetadata = {
        platform: Platform.OS,
        osVersion: String(Platform.Version),
        viewport: { width: Math.round(window.width), height: Math.round(window.height) },
        deviceType: (Platform as { isPad?: boolean }).isPad === true ? 'tablet' : 'mobile',
      };
      return { ...metadata, ...options.metadata, platform: Platform.OS };
    },
    sessionStorage: storage,
    queueStorage: storage,
    locks,
    onUnload(callback) {
      unloadCallbacks.add(callback);
      return () => {
        unloadCallbacks.delete(callback);
      };
    },
    touch({ path, x, y, at = now() }) {
      if (!emit) return;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      lastTouch = { path, at };
      send('click', path, { input: 'touch', x: Math.round(x), y: Math.round(y) }, at);
      if (rage) {
        sendRage(rage.click({ path, x, y, at }));
        armRageTimer();
      }
    },
  };
  return adapter;
}
