import {
  FactoredError,
  type FactoredStore,
  type FlagClient,
  type Platform,
  type QueryCache,
} from '@factoredui/core';
import { createContext, useContext } from 'react';
import type { CaptureBridge, ReactCapture } from './capture.js';

/** What {@link FactoredProvider} shares with the tree. */
export interface FactoredContextValue {
  readonly store: FactoredStore;
  readonly platform: Platform;
  readonly capture: CaptureBridge;
  /**
   * The flag client, created on first call. `null` on the server without a flag bootstrap:
   * flags then render as loading.
   */
  readonly flags: () => FlagClient | null;
  /** True when `flags` is the provider's shared per-store client (ref-counted by `useFlag`). */
  readonly sharedFlags: boolean;
  readonly queries: QueryCache;
}

/** @internal */
export const FactoredContext = createContext<FactoredContextValue | null>(null);

/** The provider's context; throws a helpful error outside `<FactoredProvider>`. */
export function useFactoredContext(hook: string): FactoredContextValue {
  const value = useContext(FactoredContext);
  if (!value) {
    throw new FactoredError(
      'invalid_input',
      `${hook} must be called inside <FactoredProvider store={...}>; wrap your app in it.`,
    );
  }
  return value;
}

/** The provider's capture bridge, or `null` outside a provider (path components still render). */
export function useCaptureBridge(): CaptureBridge | null {
  return useContext(FactoredContext)?.capture ?? null;
}

/**
 * The capture of the nearest `<FactoredProvider>`, or `null` outside one. For components that
 * also render without a provider (platform path components); inside an app, prefer
 * `useCapture()`, which says when the provider is missing.
 */
export function useOptionalCapture(): ReactCapture | null {
  return useContext(FactoredContext)?.capture ?? null;
}
