/**
 * `@factoredui/react-native`: FactoredUI on React Native — the capture adapter (taps with rage
 * detection, AppState, global errors, a durable queue on AsyncStorage-compatible storage), a
 * provider and path components for native views, and the 20 SDUI primitives as accessible
 * native components on the renderer shared with `@factoredui/sdui-react`.
 *
 * @packageDocumentation
 */

// The spec hooks and the shared types, so a native app needs no React DOM package.
export {
  type UseSourceDataResult,
  type UseSpecOptions,
  type UseSpecResult,
  useSourceData,
  useSpec,
} from '@factoredui/react';
export {
  defaultTheme,
  resolveTheme,
  type SpecComponent,
  type SpecComponentProps,
  type SpecRenderIssue,
  type Theme,
  type ThemeTokens,
} from '@factoredui/react/spec';
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
export { defaultNativeIcons, type NativeIconSet } from './sdui/primitives.js';
export {
  createComponentRegistry,
  type NativeComponentRegistry,
  type NativeComponentRegistryOptions,
} from './sdui/registry.js';
export {
  type NativeRenderContext,
  type NativeSpecViewProps,
  renderSpec,
  SpecView,
} from './sdui/render.js';
export {
  createNativeSpecVerifier,
  type NativeHashFunction,
  type NativeHashFunctions,
  type NativeSpecVerifierOptions,
} from './verify.js';
