/**
 * Factors (DESIGN §5): the catalog, the streaming reference engine, aggregates, snapshots
 * queries and clusters.
 *
 * @packageDocumentation
 */
export {
  type AggregateOptions,
  aggregateFactorValues,
  type NumericSummary,
  percentileCont,
  stddevSamp,
  summarize,
} from './aggregates.js';
export {
  AGGREGATE_MIN_USERS,
  assertFactorName,
  assertFactorNames,
  compareFactorValues,
  DEFAULT_FACTOR_WINDOW_MS,
  FACTOR_CATALOG,
  FACTOR_NAMES,
  factorIndex,
  getFactorDefinition,
  isFactorName,
} from './catalog.js';
export {
  buildFactorVectors,
  type ChooseKResult,
  type ComputeClustersOptions,
  type ComputeClustersResult,
  chooseK,
  computeClusters,
  createSeededRandom,
  DEFAULT_CLUSTER_FACTORS,
  type FactorVectors,
  type KMeansOptions,
  type KMeansResult,
  kMeans,
  queryClusterMembers,
  queryUserCluster,
  type SilhouetteOptions,
  silhouetteScore,
} from './clusters.js';
export {
  computeFactors,
  createFactorEngine,
  type FactorColumns,
  type FactorEngine,
  type FactorValueSink,
  parseEventTime,
  type ResolvedFactorWindow,
  resolveFactorWindow,
} from './engine.js';
export {
  type FactorQueryOptions,
  queryComponentFactors,
  queryFactorDelta,
  queryFactorHistory,
  queryFactors,
} from './queries.js';
export type * from './types.js';
export {
  assertClusterAssignments,
  assertClusterId,
  assertFactorFilters,
  normalizeTime,
} from './validate.js';
