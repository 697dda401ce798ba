import type {
  FactoredError,
  FlagClient,
  FlagClientSnapshot,
  FlagEvaluation,
  JsonObject,
} from '@factoredui/core';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useFactoredContext } from './context.js';
import { releaseFlags, retainFlags } from './flags.js';

/** What {@link useFlag} returns. */
export interface UseFlagResult {
  /** The variant to render, or `null` to render your default (loading, not enrolled...). */
  variantKey: string | null;
  /** The variant's configuration (`{}` when it has none), `null` with no variant. */
  config: JsonObject | null;
  /** True until the flag client has loaded (never when bootstrapped). */
  isLoading: boolean;
  /** Why flags could not load or the exposure could not be recorded, else `null`. */
  error: FactoredError | Error | null;
  /** The full evaluation (reason, experiment id, SDUI spec...). */
  evaluation: FlagEvaluation | null;
}

const noSubscription = () => () => {};
const LOADING: FlagClientSnapshot = {
  status: 'loading',
  userId: null,
  error: null,
  version: 0,
  loadedAt: null,
};

/**
 * The user's variant of a flag (an experiment name), evaluated synchronously from the local
 * flag client: rendered correctly on the first render when the provider has a flag bootstrap
 * (no flicker), re-rendered when definitions or assignments change. Records an exposure when
 * the variant renders, once per experiment and session.
 *
 * @example
 * ```tsx
 * const { variantKey, config } = useFlag('checkout-button-copy');
 * return <button>{variantKey === 'treatment' ? String(config?.label) : 'Pay now'}</button>;
 * ```
 */
export function useFlag(name: string): UseFlagResult {
  const context = useFactoredContext('useFlag');
  const client: FlagClient | null = context.flags();
  const snapshot = useSyncExternalStore(
    client?.subscribe ?? noSubscription,
    client ? client.getSnapshot : () => LOADING,
    client ? client.getSnapshot : () => LOADING,
  );
  // `evaluate` is memoized per snapshot version: the same object until something changes.
  const evaluation = client && snapshot.status !== 'loading' ? client.evaluate(name) : null;
  const [exposureError, setExposureError] = useState<Error | null>(null);

  const { store, sharedFlags } = context;
  useEffect(() => {
    if (!sharedFlags) return;
    retainFlags(store);
    return () => releaseFlags(store);
  }, [store, sharedFlags]);

  useEffect(() => {
    if (!client || !evaluation?.inExperiment) return;
    let current = true;
    client.recordExposure(evaluation).then(
      () => current && setExposureError(null),
      (error: unknown) =>
        current && setExposureError(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      current = false;
    };
  }, [client, evaluation]);

  return {
    variantKey: evaluation?.variantKey ?? null,
    config: evaluation?.config ?? null,
    isLoading: snapshot.status === 'loading',
    error: snapshot.error ?? exposureError,
    evaluation,
  };
}
