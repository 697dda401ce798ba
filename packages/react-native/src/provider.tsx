import type { CaptureAdapter, KVStorage } from '@factoredui/core';
import {
  type FactoredProviderProps as BaseProviderProps,
  FactoredProvider as DomFactoredProvider,
} from '@factoredui/react';
import { type JSX, useEffect, useState } from 'react';
import { AppState, Dimensions, Platform } from 'react-native';
import { createReactNativeAdapter, type ReactNativeAdapter } from './adapter.js';
import { createVisibilityHub, NativeAdapterContext, VisibilityContext } from './context.js';

/** Props of the native {@link FactoredProvider}. */
export interface FactoredProviderProps extends Omit<BaseProviderProps, 'adapter'> {
  /**
   * The capture adapter. Default: {@link createReactNativeAdapter} with `storage`, created
   * once per provider. `null`: no automatic capture (manual `useCapture()` tracking only).
   */
  adapter?: ReactNativeAdapter | CaptureAdapter | null;
  /**
   * AsyncStorage-compatible storage for the default adapter's session and durable queue
   * (ignored when `adapter` is given). Without it the queue lives in memory only.
   */
  storage?: KVStorage | null;
}

const isNativeAdapter = (adapter: CaptureAdapter | null): adapter is ReactNativeAdapter =>
  typeof (adapter as Partial<ReactNativeAdapter> | null)?.touch === 'function';

/**
 * `@factoredui/react`'s provider for React Native: the store, capture, flags and queries of
 * the tree, with the React Native adapter by default, taps of the native path components
 * routed to it, and impressions re-checked when the window changes size or the app returns.
 * Every hook of `@factoredui/react` (`useFlag`, `useCapture`, `useFactors`...) works below it.
 *
 * @example
 * ```tsx
 * import AsyncStorage from '@react-native-async-storage/async-storage';
 * <FactoredProvider store={store} storage={AsyncStorage} capture={{ appVersion: '1.4.0' }}>
 *   <App />
 * </FactoredProvider>
 * ```
 */
export function FactoredProvider(props: FactoredProviderProps): JSX.Element {
  const { adapter: given, storage, children, ...rest } = props;
  const [created] = useState(() =>
    given === undefined ? createReactNativeAdapter({ storage: storage ?? null }) : null,
  );
  const adapter = given === undefined ? created : given;
  const [hub] = useState(createVisibilityHub);
  useEffect(() => {
    const dimensions = Dimensions.addEventListener('change', hub.notify);
    const appState = AppState.addEventListener('change', (state) => {
      if (state === 'active') hub.notify();
    });
    return () => {
      dimensions.remove();
      appState.remove();
    };
  }, [hub]);
  return (
    <NativeAdapterContext.Provider value={isNativeAdapter(adapter) ? adapter : null}>
      <VisibilityContext.Provider value={hub}>
        <DomFactoredProvider
          {...rest}
          adapter={adapter}
          platform={props.platform ?? adapter?.platform ?? Platform.OS}
        >
          {children}
        </DomFactoredProvider>
      </VisibilityContext.Provider>
    </NativeAdapterContext.Provider>
  );
}

/** The 0.5 name of {@link FactoredProvider}. */
export const Provider = FactoredProvider;
