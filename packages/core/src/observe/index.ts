export { createQueryCache, hashQueryKey } from './cache.js';
export {
  type ComponentFactorsQueryInput,
  componentFactorsQuery,
  type ExperimentResultsQueryInput,
  type ExperimentSummariesQueryInput,
  experimentResultsQuery,
  experimentSummariesQuery,
  type FactorHistoryQueryInput,
  type FactorsQueryInput,
  factorHistoryQuery,
  factorsQuery,
  type GovernanceLogQueryInput,
  governanceLogQuery,
  type MetricsQueryInput,
  metricPlanQuery,
  metricsQuery,
  recentGovernanceLogQuery,
} from './queries.js';
export { replaceEqualDeep } from './share.js';
export type * from './types.js';
