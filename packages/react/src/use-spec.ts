import {
  createSpecLoader,
  type FactoredStore,
  type Platform,
  type Spec,
  type SpecLoaderSnapshot,
  type SpecStorage,
  type SpecVerifier,
} from '@factoredui/core';
import { useMemo, useRef, useSyncExternalStore } from 'react';
import { useFactoredStore, usePlatform } from './hooks.js';

/** Options of {@link useSpec}. */
export interface UseSpecOptions {
  /** The spec bundled with the app: rendered first, and whenever nothing verified is available. */
  baseline: Spec;
  /** Checks hashes and signatures: `createEd25519Verifier(keys)` (or `devSignatureVerifier`). */
  verifier: SpecVerifier;
  /** Device cache and rollback floor, e.g. `createSpecStorage(localStorage)`. */
  storage?: SpecStorage | null;
  /** Platform of the slot. Default: the provider's platform. */
  platform?: Platform;
  /** Store to read specs from. Default: the provider's store. */
  store?: FactoredStore;
  /**
   * Render this version instead of the active one: an experiment variant's spec
   * (`useFlag(...).evaluation?.spec?.version`).
   */
  version?: number;
  /** Also reload every this many milliseconds (stores without realtime). */
  refreshIntervalMs?: number;
  /** Renderer version to check `renderer_min` against (default: this release's). */
  rendererVersion?: number;
}

/** What {@link useSpec} returns: the loader's snapshot, plus conveniences. */
export interface UseSpecResult extends SpecLoaderSnapshot {
  /** True until the first load settles (a cached or the baseline spec is shown meanwhile). */
  isLoading: boolean;
  /** Loads again now. */
  refresh: () => Promise<SpecLoaderSnapshot>;
}

/** The provider's store and platform, or `null` outside a provider. */
function useProvider(): { store: FactoredStore; platform: Platform } | null {
  // Both are plain context reads. Whether a provider is above cannot change without a remount,
  // so the number of context reads is stable across renders of one component instance.
  try {
    // biome-ignore lint/correctness/useHookAtTopLevel: see above
    const store = useFactoredStore();
    // biome-ignore lint/correctness/useHookAtTopLevel: see above
    return { store, platform: usePlatform() };
  } catch {
    return null;
  }
}

/**
 * The spec to render for a slot: core's spec loader (`createSpecLoader`) under
 * `useSyncExternalStore`. Renders the baseline at once (and on the server), the verified
 * cached spec as soon as it is read, then the store's active version once it verifies; it
 * re-renders when a new version is activated (store realtime, or `refreshIntervalMs`).
 * Anything rejected — tampered hash or signature, unknown key, rollback, too-new
 * `renderer_min`, invalid spec — is never rendered; the reasons are in `rejections`.
 *
 * The loader is recreated when `name`, `platform`, `store`, `storage`, `verifier`, `version`,
 * `refreshIntervalMs` or `rendererVersion` change: keep verifier and storage stable (module
 * scope or `useMemo`). `baseline` is read when the loader is created.
 *
 * @example
 * ```tsx
 * const verifier = createEd25519Verifier({ '2026-01': PUBLIC_KEY });
 * const storage = createSpecStorage(localStorage);
 * function Promo() {
 *   const { spec, source, rejections } = useSpec('promo', { baseline, verifier, storage });
 *   if (rejections.length) reportToTelemetry(rejections);
 *   return <SpecView spec={spec} context={{ actions }} />;
 * }
 * ```
 */
export function useSpec(name: string, options: UseSpecOptions): UseSpecResult {
  const provider = useProvider();
  const store = options.store ?? provider?.store;
  const platform = options.platform ?? provider?.platform ?? 'web';
  if (!store) {
    throw new TypeError(
      `useSpec("${name}") needs a store: render it inside <FactoredProvider store={...}> or pass options.store.`,
    );
  }
  const baseline = useRef(options.baseline);
  baseline.current = options.baseline;
  const { storage = null, verifier, version, refreshIntervalMs, rendererVersion } = options;
  // The baseline is read through a ref at creation: a new baseline object each render must not reload.
  const loader = useMemo(
    () =>
      createSpecLoader({
        store,
        name,
        platform,
        baseline: baseline.current,
        storage,
        verifier,
        ...(version !== undefined ? { version } : {}),
        ...(refreshIntervalMs !== undefined ? { refreshIntervalMs } : {}),
        ...(rendererVersion !== undefined ? { rendererVersion } : {}),
      }),
    [store, name, platform, storage, verifier, version, refreshIntervalMs, rendererVersion],
  );
  const snapshot = useSyncExternalStore(
    loader.subscribe,
    loader.getSnapshot,
    loader.getServerSnapshot,
  );
  return useMemo(
    () => ({ ...snapshot, isLoading: snapshot.status === 'loading', refresh: loader.refresh }),
    [snapshot, loader],
  );
}
