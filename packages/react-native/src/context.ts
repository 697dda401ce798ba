import { createContext } from 'react';
import type { ReactNativeAdapter } from './adapter.js';

/** The adapter that native path components report taps to (`null`: taps are not captured). */
export const NativeAdapterContext = createContext<ReactNativeAdapter | null>(null);

/**
 * Tells path components below that what is on screen may have moved (a scroll, a rotation,
 * the app coming back), so those not yet seen measure themselves again.
 */
export interface VisibilityHub {
  subscribe(listener: () => void): () => void;
  notify(): void;
}

/** Creates a {@link VisibilityHub}. */
export function createVisibilityHub(): VisibilityHub {
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    notify,
  };
}

/** The nearest hub: the provider's, or that of an enclosing `FactoredScrollView`. */
export const VisibilityContext = createContext<VisibilityHub>(createVisibilityHub());
