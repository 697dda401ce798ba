import type { ComponentPath } from '../capture/types.js';
import type { FactorName } from '../factors/types.js';
import type { LoggedMetricOutcome, MetricGoalEvaluation } from './goals.js';

/** Comparison operators of a {@link GovernanceThreshold}. */
export type ThresholdOperator = 'gt' | 'gte' | 'lt' | 'lte';

/**
 * What a threshold's `value` measures: the `absolute` lift (treatment mean minus control mean,
 * in the factor's own unit) or the `relative` lift (`treatment / control - 1`, so `0.05` is 5%).
 */
export type ThresholdScale = 'absolute' | 'relative';

/**
 * The minimum practical improvement for a factor, in the factor's better direction
 * (DESIGN §5 and §7). The lift of a treatment over control must satisfy
 * `lift <operator> value` to count as a win:
 *
 * - a factor where higher is better takes `gt`/`gte` with `value >= 0`
 *   (`{ factor: 'completion_rate', operator: 'gte', value: 0.02 }`: at least +2 points);
 * - a factor where lower is better takes `lt`/`lte` with `value <= 0`
 *   (`{ factor: 'error_rate', operator: 'lte', value: -0.01 }`: at least 1 point fewer errors).
 *
 * Structural factors have no better direction and cannot be thresholded. Stores validate with
 * `assertValidThreshold` and throw `invalid_input` otherwise.
 */
export interface GovernanceThreshold {
  /** Unique id (a UUID); upserting the same id replaces the threshold. */
  id: string;
  /** Applies to this experiment, or to every experiment when `null` (a global threshold). */
  experimentId: string | null;
  factor: FactorName;
  /** Measure the factor on this component path; `null` means the experiment's own path. */
  path: ComponentPath | null;
  operator: ThresholdOperator;
  value: number;
  /** Default `absolute`. Stores return it filled in. */
  scale?: ThresholdScale;
}

/**
 * Per-variant sufficient statistics of one factor for one experiment at one evaluation time.
 * For every user assigned to the variant at or before the evaluation time:
 * `y` = the user's latest snapshot value strictly after assignment and at or before the
 * evaluation time; `x` = the latest snapshot value at or before assignment. Users without `y`
 * are left out entirely; users without `x` contribute to the `y` sums only.
 *
 * These sums are all that analysis needs (Welch test, CUPED, lifts), so a store computes them
 * where the data is and never ships users to the caller.
 */
export interface VariantSufficientStatistics {
  variantKey: string;
  /**
   * Users assigned to the variant at or before the evaluation time, with or without `y`
   * (the counts of the sample-ratio-mismatch test).
   */
  assigned: number;
  /** Users with a `y` value. */
  n: number;
  /** Σy over those users. */
  sumY: number;
  /** Σy² over those users. */
  sumY2: number;
  /** Users with both `x` and `y`. */
  nX: number;
  /** Σx over the users with both. */
  sumX: number;
  /** Σx² over the users with both. */
  sumX2: number;
  /** Σxy over the users with both. */
  sumXY: number;
  /** Σy over the users with both (CUPED needs the y-mean of the covariate subset). */
  sumYWithX: number;
}

/** A governance decision (DESIGN §7). */
export type GovernanceVerdict = 'conclude' | 'continue' | 'flag_review';

/** How significance is assessed. */
export type InferenceMode = 'sequential' | 'fixed';

/** What a comparison found. */
export type ComparisonOutcome =
  /** Significant, in the factor's better direction. */
  | 'improvement'
  /** Significant, in the factor's worse direction. */
  | 'regression'
  /** Estimable but not significant. */
  | 'inconclusive'
  /** Fewer than 2 users with a value in an arm, or no variance at all: no test possible. */
  | 'insufficient_data';

/**
 * One treatment-vs-control comparison on one factor. Numbers are `null` when the outcome is
 * `insufficient_data`.
 */
export interface FactorComparison {
  variantKey: string;
  controlKey: string;
  /** Users with a value, per arm. */
  n: { control: number; treatment: number };
  /** Arm means (CUPED-adjusted when `method` is `cuped`). */
  controlMean: number | null;
  treatmentMean: number | null;
  /** Absolute lift: treatment mean minus control mean. */
  effect: number | null;
  /** Standard error of `effect` (Welch, from the adjusted values under CUPED). */
  standardError: number | null;
  /** Confidence interval (fixed) or confidence-sequence interval (sequential) of `effect`. */
  ci: [number, number] | null;
  /** Fixed-horizon Welch p-value, or the always-valid p-value (sequential). */
  pValue: number | null;
  /** `treatment / control - 1`; `null` also when the control mean is 0. */
  relativeLift: number | null;
  /** Delta-method interval of `relativeLift`, at the same level and mode as `ci`. */
  relativeCi: [number, number] | null;
  method: 'cuped' | 'difference';
  inference: InferenceMode;
  /** Confidence level of the intervals after any multiple-comparison correction. */
  confidenceLevel: number;
  /** `ci` excludes 0 (equivalently `pValue <= 1 - confidenceLevel`). */
  significant: boolean;
  /** The lift satisfies the factor's threshold (by its point estimate). */
  passesThreshold: boolean;
  outcome: ComparisonOutcome;
}

/** Per-variant numbers of one factor. */
export interface VariantFactorSummary {
  variantKey: string;
  /** Users with a value after assignment. */
  n: number;
  /** Of those, users with a value before assignment (the CUPED covariate). */
  nWithCovariate: number;
  /** Unadjusted mean of y; `null` when `n = 0`. */
  mean: number | null;
}

/** Everything governance computed for one factor of one experiment. */
export interface FactorEvaluation {
  factor: FactorName;
  path: ComponentPath;
  /** Which way is better (from the factor catalog). */
  direction: 'higher' | 'lower';
  /** The threshold applied, or `null` when the factor was analyzed without one. */
  threshold: {
    id: string;
    operator: ThresholdOperator;
    value: number;
    scale: ThresholdScale;
  } | null;
  /** The pooled CUPED coefficient, or `null` when CUPED was not applied. */
  cuped: { theta: number; covariateMean: number; usersWithCovariate: number } | null;
  variants: VariantFactorSummary[];
  comparisons: FactorComparison[];
}

/** The sample-ratio-mismatch check of an evaluation. */
export interface SampleRatioMismatchCheck {
  /** False while some variant has fewer assigned users than the configured minimum. */
  tested: boolean;
  statistic: number | null;
  df: number | null;
  pValue: number | null;
  /** `tested` and `pValue < srmAlpha`. */
  flagged: boolean;
}

/** The settings an evaluation ran with, recorded in every log row for the audit. */
export interface GovernanceSettings {
  /** Family-wise significance level. Default 0.05. */
  alpha: number;
  /** Default `sequential` (always-valid confidence sequences). */
  inference: InferenceMode;
  /**
   * Total users (both arms of a comparison) at which the confidence sequence is tightest; the
   * tuning parameter of the normal-mixture boundary. Default 2000.
   */
  sequentialTargetSampleSize: number;
  /** Users with a value per variant below which the verdict is `continue`. Default 100. */
  minSamplePerVariant: number;
  /** SRM p-value below which the experiment is flagged. Default 0.001. */
  srmAlpha: number;
  /** SRM is tested once every variant has this many assigned users. Default 10. */
  srmMinUsersPerVariant: number;
  /** Apply CUPED when pre-assignment values exist. Default true. */
  cuped: boolean;
  /** Bonferroni over every (factor, treatment) comparison, or none. Default `bonferroni`. */
  multipleComparisons: 'bonferroni' | 'none';
}

/** The analysis of one experiment at one time, before a verdict is drawn from it. */
export interface ExperimentEvaluation {
  experimentId: string;
  /** When it was evaluated (the `at` of the sufficient statistics). */
  evaluatedAt: string;
  controlKey: string;
  /** Configured weights per variant. */
  weights: Record<string, number>;
  /** Assigned users per variant. */
  assigned: Record<string, number>;
  srm: SampleRatioMismatchCheck;
  factors: FactorEvaluation[];
  /**
   * The primary metric and guardrails of the experiment's metric plan, with every
   * per-variant number; absent when governance ran without a plan (DESIGN §18).
   */
  metrics?: MetricGoalEvaluation[];
  settings: GovernanceSettings;
}

/** A verdict with its winner and a human-readable reason. */
export interface GovernanceDecision {
  verdict: GovernanceVerdict;
  /** The winning variant when `verdict` is `conclude`, else `null`. */
  winner: string | null;
  reason: string;
}

/**
 * One row of the append-only governance log: an evaluation and its decision, with every
 * per-factor number (effect, CI, p-value, n per variant) needed to audit it later. Signed-in
 * users read the log, so its factor numbers are released ones (DESIGN §15) and its metrics
 * carry flags only ({@link LoggedMetricOutcome}), never metric numbers.
 */
export interface GovernanceLogEntry
  extends Omit<ExperimentEvaluation, 'metrics'>,
    GovernanceDecision {
  /** The metric plan's outcome without numbers; absent when governance ran without a plan. */
  metrics?: LoggedMetricOutcome[];
  /** Unique id (a UUIDv7, so ids sort by creation time). */
  id: string;
}
