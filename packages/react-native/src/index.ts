/**
 * `@factoredui/react-native`: FactoredUI on React Native — the capture adapter (taps with rage
 * detection, AppState, global errors, a durable queue on AsyncStorage-compatible storage), a
 * provider and path components for native views, and the 20 SDUI primitives as accessible
 * native components on the renderer shared with `@factoredui/sdui-react`.
 *
 * @packageDocumentation
 */
export {
  createReactNativeAdapter,
  type GlobalErrorUtils,
  type ReactNativeAdapter,
  type ReactNativeAdapterOptions,
  type TouchInput,
} from './adapter.js';
export { createVisibilityHub, VisibilityContext, type VisibilityHub } from './context.js';
export { createRuntimeLocks } from './locks.js';
export {
  Component,
  Element,
  FactoredScrollView,
  Flow,
  type NativePathProps,
  Page,
} from './path.js';
export { FactoredProvider, type FactoredProviderProps, Provider } from './provider.js';
