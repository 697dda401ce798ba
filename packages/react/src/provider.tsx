import {
  type CaptureAdapter,
  createQueryCache,
  type DehydratedQueries,
  type DeviceMetadata,
  type FactoredStore,
  type FlagClient,
  type FlushResult,
  type InitCaptureOptions,
  type Platform,
  type QueryCache,
  type SerializedFlagState,
} from '@factoredui/core';
import {
  createElement,
  type JSX,
  type ReactNode,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { createCaptureBridge, releaseCapture, retainCapture } from './capture.js';
import { FactoredContext, type FactoredContextValue } from './context.js';
import { flagClientFor } from './flags.js';

// `useLayoutEffect` warns during server rendering in React 18; it never runs there anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** Capture options of {@link FactoredProvider} (everything `initCapture` takes but the store). */
export type ProviderCaptureOptions = Omit<InitCaptureOptions, 'store' | 'adapter' | 'platform'>;

/** Props of {@link FactoredProvider}. */
export interface FactoredProviderProps {
  /** Where everything is read and written. */
  store: FactoredStore;
  /**
   * The capture platform adapter. Default: the web adapter in a browser. `null`: no automatic
   * capture (manual `useCapture()` tracking only).
   */
  adapter?: CaptureAdapter | null;
  /** The platform (session metadata, flag targeting). Default: the adapter's, else `web`. */
  platform?: Platform;
  /**
   * Options passed to `initCapture` when capture starts (read once per store), or `false` to
   * not capture at all.
   */
  capture?: ProviderCaptureOptions | false;
  /** Called with the final flush result after capture stops (the provider unmounted). */
  onCaptureStopped?: (result: FlushResult) => void;
  /**
   * A flag client you manage yourself. Default: one per store, created when `useFlag` is
   * first rendered and destroyed when the last one unmounts.
   */
  flags?: FlagClient;
  /** Serialized flag state from the server (`serializeFlagState`): no flicker on first render. */
  flagBootstrap?: SerializedFlagState;
  /** Device metadata flag targeting reads (`app_version`, `os_version`...). */
  flagMetadata?: DeviceMetadata;
  /**
   * A query cache you manage yourself. Default: one per provider and store, destroyed when the
   * provider unmounts (on a server: one with no timers, dropped with the render).
   */
  queryCache?: QueryCache;
  /** Results prefetched on the server (`queryCache.dehydrate()`), rendered without loading. */
  queryState?: DehydratedQueries;
  /** The app. */
  children?: ReactNode;
  /** @deprecated The 0.5.1 prop: use `capture={{ flushIntervalMs }}` (mapped, warns once). */
  flushIntervalMs?: number;
  /** @deprecated The 0.5.1 prop: use `capture={{ batchSize }}` (mapped, warns once). */
  flushBatchSize?: number;
  /** @deprecated The 0.5.1 prop: use `capture={{ sessionTimeoutMs }}` (mapped, warns once). */
  sessionTimeoutMs?: number;
}

/** The 0.5.1 capture props of the provider and the `capture` option each maps to. */
const LEGACY_CAPTURE_PROPS = {
  flushIntervalMs: 'flushIntervalMs',
  flushBatchSize: 'batchSize',
  sessionTimeoutMs: 'sessionTimeoutMs',
} as const;
const warnedLegacyProps = new Set<string>();

/**
 * The capture options the 0.5.1 props given in `props` map to (an option given in `capture`
 * wins); warns once per prop.
 */
function legacyCaptureOptions(props: FactoredProviderProps): ProviderCaptureOptions {
  const mapped: Record<string, unknown> = {};
  for (const [old, now] of Object.entries(LEGACY_CAPTURE_PROPS)) {
    const value = props[old as keyof typeof LEGACY_CAPTURE_PROPS];
    if (value === undefined) continue;
    mapped[now] = value;
    if (warnedLegacyProps.has(old)) continue;
    warnedLegacyProps.add(old);
    console.warn(
      `factoredui: <Provider ${old}> is the 0.5.1 prop; use capture={{ ${now} }} (deprecated since 0.6; removed in the next minor).`,
    );
  }
  return mapped;
}

/**
 * Provides the store, capture, flags and the query cache to the tree. Capture starts once per
 * store, in an effect (never during render, so server rendering is safe), survives StrictMode's
 * double effects, and stops — flushing the queue — when the last provider of the store unmounts.
 *
 * @example
 * ```tsx
 * <FactoredProvider store={store} capture={{ appVersion: '2.3.0' }}>
 *   <App />
 * </FactoredProvider>
 * ```
 */
export function FactoredProvider(props: FactoredProviderProps): JSX.Element {
  const { store, adapter, capture, flags: givenFlags, queryCache, queryState } = props;
  const platform = props.platform ?? adapter?.platform ?? 'web';
  const [bridge] = useState(createCaptureBridge);
  const latest = useRef(props);
  latest.current = props;

  const queries = useMemo(
    () =>
      queryCache ??
      // On a server nothing may outlive the render: no garbage-collection timers.
      createQueryCache(store, typeof window === 'undefined' ? { gcTimeMs: Infinity } : {}),
    [queryCache, store],
  );
  // Destroy the cache this provider made once it is unmounted for good (StrictMode's replay
  // remounts within the same task, so the check runs on the next one).
  const mountedQueries = useRef<QueryCache | null>(null);
  const ownsQueries = queryCache === undefined;
  useEffect(() => {
    if (!ownsQueries) return;
    mountedQueries.current = queries;
    return () => {
      mountedQueries.current = null;
      setTimeout(() => {
        if (mountedQueries.current !== queries) queries.destroy();
      }, 0);
    };
  }, [queries, ownsQueries]);
  // Hydration is idempotent (older data never overwrites newer), so it may run in render.
  useMemo(() => queryState && queries.hydrate(queryState), [queries, queryState]);

  // Flags are created on first use (useFlag), so apps without flags make no flag requests.
  // The shared client is per store: the setup of the first use wins.
  const flags = useMemo(
    () => (): FlagClient | null =>
      givenFlags ??
      flagClientFor(store, {
        bootstrap: latest.current.flagBootstrap,
        platform,
        metadata: latest.current.flagMetadata,
      }),
    [givenFlags, store, platform],
  );

  const captureEnabled = capture !== false;
  // A layout effect: it runs before every passive effect of the tree, so impressions and
  // exposures recorded by children's effects already see the capture session.
  useIsomorphicLayoutEffect(() => {
    if (!captureEnabled) return;
    const { capture: options, adapter: currentAdapter } = latest.current;
    const handle = retainCapture(store, {
      ...legacyCaptureOptions(latest.current),
      ...(options || {}),
      ...(currentAdapter !== undefined ? { adapter: currentAdapter } : {}),
      platform,
    });
    bridge.attach(handle);
    return () => {
      bridge.detach();
      releaseCapture(
        store,
        (result) => latest.current.onCaptureStopped?.(result),
        (error) => {
          const onError = latest.current.capture ? latest.current.capture.onError : undefined;
          onError?.(error, { phase: 'capture' });
        },
      );
    };
  }, [store, bridge, captureEnabled, platform]);

  const value = useMemo<FactoredContextValue>(
    () => ({ store, platform, capture: bridge, flags, sharedFlags: !givenFlags, queries }),
    [store, platform, bridge, flags, givenFlags, queries],
  );
  return createElement(FactoredContext.Provider, { value }, props.children);
}

/** The 0.5 name of {@link FactoredProvider}. */
export const Provider = FactoredProvider;
