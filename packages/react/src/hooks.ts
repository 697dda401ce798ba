import {
  type ComponentFactorAggregate,
  type ComponentPath,
  componentFactorsQuery,
  type ExperimentEvaluation,
  type ExperimentMetricPlan,
  type ExperimentResultsQueryInput,
  type ExperimentStatus,
  type ExperimentVariantSummary,
  experimentResultsQuery,
  experimentSummariesQuery,
  type FactoredStore,
  type FactorName,
  type FactorSnapshotValue,
  type FactorValue,
  factorHistoryQuery,
  factorsQuery,
  type GovernanceLogEntry,
  type GovernanceVerdict,
  governanceLogQuery,
  hashQueryKey,
  type MetricsQueryInput,
  metricPlanQuery,
  metricsQuery,
  type Platform,
  type QuerySnapshot,
  recentGovernanceLogQuery,
  type StoredMetric,
  type StoreQuery,
  type TimeInput,
} from '@factoredui/core';
import { useMemo, useSyncExternalStore } from 'react';
import type { ReactCapture } from './capture.js';
import { useFactoredContext } from './context.js';

/** What the data hooks return: the query snapshot plus `refetch`. */
export interface QueryResult<T> extends QuerySnapshot<T> {
  /** Fetches again now (or joins the request in flight). */
  refetch: () => Promise<QuerySnapshot<T>>;
}

/**
 * Subscribes to any {@link StoreQuery} through the provider's query cache: equal keys share
 * one request, the result is live while mounted when the query names store topics, and the
 * server renders the cached (hydrated) state. The building block of every data hook.
 */
export function useStoreQuery<T>(query: StoreQuery<T>): QueryResult<T> {
  const { queries } = useFactoredContext('useStoreQuery');
  const hash = hashQueryKey(query.key);
  // A new observer only when the key changes; the query object itself changes every render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the query's hash
  const observer = useMemo(() => queries.observe(query), [queries, hash]);
  const snapshot = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getSnapshot,
  );
  return useMemo(() => ({ ...snapshot, refetch: observer.refetch }), [snapshot, observer]);
}

/** Options of {@link useFactors}. */
export interface UseFactorsOptions {
  /** Whose factors. Default: the store's own user. */
  userId?: string;
  /** Only these factors. */
  factors?: readonly FactorName[];
}

/**
 * The current factor values of the user (default: the store's), on `path` or on every path;
 * live while mounted.
 */
export function useFactors(
  path?: ComponentPath,
  options: UseFactorsOptions = {},
): QueryResult<FactorValue[]> {
  return useStoreQuery(factorsQuery({ ...options, ...(path !== undefined ? { path } : {}) }));
}

/** Factor aggregates (mean, median, p95...) of a component path, or of every path; live. */
export function useComponentFactors(
  path?: ComponentPath,
  options: { factors?: readonly FactorName[] } = {},
): QueryResult<ComponentFactorAggregate[]> {
  return useStoreQuery(
    componentFactorsQuery({ ...options, ...(path !== undefined ? { path } : {}) }),
  );
}

/** Options of {@link useFactorHistory}. */
export interface UseFactorHistoryOptions extends UseFactorsOptions {
  /** Inclusive lower bound. */
  since: TimeInput;
  /** Inclusive upper bound. */
  until?: TimeInput;
}

/** Snapshot values of the user over time on `path` (or every path), oldest first; live. */
export function useFactorHistory(
  path: ComponentPath | undefined,
  options: UseFactorHistoryOptions,
): QueryResult<FactorSnapshotValue[]> {
  return useStoreQuery(factorHistoryQuery({ ...options, ...(path !== undefined ? { path } : {}) }));
}

/**
 * An experiment's results: per factor and treatment, lift over control with interval and
 * p-value (`queryExperimentResults`); live as assignments and snapshots change.
 */
export function useExperimentResults(
  experimentId: string,
  options: ExperimentResultsQueryInput = {},
): QueryResult<ExperimentEvaluation> {
  return useStoreQuery(experimentResultsQuery(experimentId, options));
}

/** One row per variant of every matching experiment (assigned and exposed users); live. */
export function useExperimentDashboard(
  filters: { status?: readonly ExperimentStatus[]; path?: ComponentPath } = {},
): QueryResult<ExperimentVariantSummary[]> {
  return useStoreQuery(experimentSummariesQuery(filters));
}

/** The governance log (newest first) of one experiment, or of all; live as verdicts land. */
export function useGovernanceLog(
  experimentId?: string,
  options: { verdict?: GovernanceVerdict; limit?: number } = {},
): QueryResult<GovernanceLogEntry[]> {
  return useStoreQuery(
    governanceLogQuery({ ...options, ...(experimentId !== undefined ? { experimentId } : {}) }),
  );
}

/** The newest `limit` (default 20) governance log entries over all experiments; live. */
export function useRecentGovernanceLog(limit?: number): QueryResult<GovernanceLogEntry[]> {
  return useStoreQuery(recentGovernanceLogQuery(limit));
}

/** Metric definitions (latest version of each, or `allVersions`); live as metrics are defined. */
export function useMetrics(options: MetricsQueryInput = {}): QueryResult<StoredMetric[]> {
  return useStoreQuery(metricsQuery(options));
}

/**
 * The metric plan of an experiment (primary metric and guardrails with their margins), or
 * `null`; live as it changes. The numbers governance read from it are in the log entries'
 * `metrics` ({@link useGovernanceLog}), with the Bayesian readout of each comparison.
 */
export function useMetricPlan(experimentId: string): QueryResult<ExperimentMetricPlan | null> {
  return useStoreQuery(metricPlanQuery(experimentId));
}

/** The provider's store, for reads the hooks here do not cover (see also `useStoreQuery`). */
export function useFactoredStore(): FactoredStore {
  return useFactoredContext('useFactoredStore').store;
}

/** The platform the provider runs on (`web` by default). */
export function usePlatform(): Platform {
  return useFactoredContext('usePlatform').platform;
}

/**
 * The provider's capture: `track`, `trackNavigation`, `trackImpression`, `flushEvents`...
 * Stable across renders; usable before capture has started (calls are replayed).
 */
export function useCapture(): ReactCapture {
  return useFactoredContext('useCapture').capture;
}
