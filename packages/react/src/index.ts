/**
 * `@factoredui/react`: React bindings for FactoredUI — a provider that starts capture, path
 * components that tag the DOM and record impressions, and hooks over core's observable
 * flag client and query cache (`useSyncExternalStore`, SSR-safe).
 *
 * @packageDocumentation
 */
export type { ReactCapture } from './capture.js';
export { useOptionalCapture } from './context.js';
export { type UseFlagResult, useFlag } from './flag.js';
export {
  type QueryResult,
  type UseFactorHistoryOptions,
  type UseFactorsOptions,
  useCapture,
  useComponentFactors,
  useExperimentDashboard,
  useExperimentResults,
  useFactoredStore,
  useFactorHistory,
  useFactors,
  useGovernanceLog,
  useMetricPlan,
  useMetrics,
  usePlatform,
  useRecentGovernanceLog,
  useStoreQuery,
} from './hooks.js';
export {
  Component,
  Element,
  Flow,
  PATH_LEVELS,
  Page,
  type PathLevel,
  type PathProps,
  type PathScope,
  PathScopeProvider,
  useComponentPath,
  usePathScope,
} from './path.js';
export {
  FactoredProvider,
  type FactoredProviderProps,
  Provider,
  type ProviderCaptureOptions,
} from './provider.js';
export { type UseSourceDataResult, useSourceData } from './use-source-data.js';
export { type UseSpecOptions, type UseSpecResult, useSpec } from './use-spec.js';
