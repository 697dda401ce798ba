export {
  analyzeMetric,
  type MetricAnalysis,
  type MetricAnalysisInput,
  type MetricComparison,
  metricSummary,
  type VariantMetricSummary,
} from './analysis.js';
export {
  computeMetricStatistics,
  emptyMetricStatistics,
  type MetricEngineInput,
  matchesMetricEvent,
  metricUserValue,
} from './engine.js';
export * from './types.js';
export {
  MAX_METRIC_DESCRIPTION_CHARS,
  METRIC_KINDS,
  type NormalizedMetricDefinition,
  normalizeMetricDefinition,
  sameMetricDefinition,
} from './validate.js';
