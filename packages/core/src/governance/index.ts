export {
  analyzeExperiment,
  analyzeFactor,
  CONTROL_KEY,
  type ExperimentAnalysisInput,
  emptySufficientStatistics,
  type FactorAnalysisInput,
} from './analysis.js';
export {
  evaluateExperimentThresholds,
  type GovernanceCheckOptions,
  type GovernanceCheckResult,
  type GovernanceRunOptions,
  type GovernanceSweepResult,
  logGovernanceVerdict,
  queryExperimentResults,
  queryGovernanceLog,
  queryGovernanceLogByVerdict,
  queryRecentGovernanceLog,
  type ResultFactor,
  runGovernanceCheck,
  runGovernanceSweep,
} from './check.js';
export {
  estimateTimeToDecision,
  type TimeToDecision,
  type TimeToDecisionOptions,
} from './duration.js';
export {
  assertValidMetricPlan,
  type ExperimentMetricPlan,
  evaluateMetricGoal,
  type GuardrailGoal,
  type GuardrailStatus,
  guardrailStatus,
  type LoggedMetricComparison,
  type LoggedMetricOutcome,
  loggedMetricOutcomes,
  type MetricGoalComparison,
  type MetricGoalEvaluation,
  type MetricGoalInput,
  type PrimaryMetricGoal,
} from './goals.js';
export {
  compareHoldout,
  type HoldoutComparison,
  type HoldoutObservation,
  type HoldoutReadout,
  holdoutReadout,
} from './holdout.js';
export { assertValidGovernanceLogEntry } from './log.js';
export {
  type ReleasedAggregateCohort,
  type ReleasedAssignedCohort,
  type ReleasedCohort,
  releaseAssignedCount,
  releaseComponentAggregates,
  releaseVariantRow,
  type StatisticsContribution,
  statisticsReleasePairs,
} from './release.js';
export {
  DEFAULT_GOVERNANCE_SETTINGS,
  type GovernanceOptions,
  resolveGovernanceSettings,
} from './settings.js';
export * from './statistics/index.js';
export {
  assertValidThreshold,
  factorBetterDirection,
  isThresholdExceeded,
  resolveThresholds,
} from './thresholds.js';
export type * from './types.js';
export { computeGovernanceVerdict } from './verdict.js';
