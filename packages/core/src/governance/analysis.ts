import type { ComponentPath } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import type { FactorName } from '../factors/types.js';
import { evaluateMetricGoal, type MetricGoalInput } from './goals.js';
import { type GovernanceOptions, resolveGovernanceSettings } from './settings.js';
import { adjustedSummary, estimateCuped } from './statistics/cuped.js';
import { estimateLift } from './statistics/lift.js';
import { sampleRatioMismatchTest } from './statistics/srm.js';
import { factorBetterDirection, isThresholdExceeded } from './thresholds.js';
import type {
  ExperimentEvaluation,
  FactorComparison,
  FactorEvaluation,
  GovernanceSettings,
  SampleRatioMismatchCheck,
  ThresholdOperator,
  ThresholdScale,
  VariantSufficientStatistics,
} from './types.js';

/** The control variant key every experiment has (DESIGN §6). */
export const CONTROL_KEY = 'control';

/** One factor to analyze: its sufficient statistics per variant and its threshold, if any. */
export interface FactorAnalysisInput {
  factor: FactorName;
  path: ComponentPath;
  threshold: {
    id: string;
    operator: ThresholdOperator;
    value: number;
    scale?: ThresholdScale;
  } | null;
  /** One row per variant; a variant without a row is treated as having no users. */
  statistics: readonly VariantSufficientStatistics[];
}

/** What {@link analyzeExperiment} needs: no store, just numbers. */
export interface ExperimentAnalysisInput {
  experimentId: string;
  /** ISO 8601 time the statistics were computed at. */
  evaluatedAt: string;
  /** The configured variants (one must be `control`). */
  variants: readonly { key: string; weight: number }[];
  /** Assigned users per variant key (for the sample-ratio-mismatch test). */
  assigned: Readonly<Record<string, number>>;
  factors: readonly FactorAnalysisInput[];
  /** The metric plan's primary and guardrails with their statistics (DESIGN §18). */
  metrics?: readonly MetricGoalInput[];
}

/** Sufficient statistics of a variant with no users yet: every count and sum 0. */
export const emptySufficientStatistics = (variantKey: string): VariantSufficientStatistics => ({
  variantKey,
  assigned: 0,
  n: 0,
  sumY: 0,
  sumY2: 0,
  nX: 0,
  sumX: 0,
  sumX2: 0,
  sumXY: 0,
  sumYWithX: 0,
});

function checkSrm(
  variants: readonly { key: string; weight: number }[],
  assigned: Readonly<Record<string, number>>,
  settings: GovernanceSettings,
): SampleRatioMismatchCheck {
  const observed = variants.map((v) => assigned[v.key] ?? 0);
  const weights = variants.map((v) => v.weight);
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  // Chi-square is trustworthy once every expected count reaches the minimum; testing on
  // expected (not observed) counts still catches a variant that receives nobody.
  const ready = weights.every((w) => (total * w) / weightSum >= settings.srmMinUsersPerVariant);
  if (!ready) return { tested: false, statistic: null, df: null, pValue: null, flagged: false };
  const result = sampleRatioMismatchTest(observed, weights);
  return {
    tested: true,
    statistic: result.statistic,
    df: result.df,
    pValue: result.pValue,
    flagged: result.pValue < settings.srmAlpha,
  };
}

/**
 * Analyzes one factor: CUPED coefficient (pooled across variants), per-variant numbers, and a
 * comparison of each treatment against control at significance level `alpha` (already
 * corrected for multiple comparisons by the caller).
 */
export function analyzeFactor(
  input: FactorAnalysisInput,
  variantKeys: readonly string[],
  settings: GovernanceSettings,
  alpha: number,
): FactorEvaluation {
  const direction = factorBetterDirection(input.factor);
  const byKey = new Map(input.statistics.map((s) => [s.variantKey, s]));
  const statistics = variantKeys.map((key) => byKey.get(key) ?? emptySufficientStatistics(key));
  const cuped = settings.cuped ? estimateCuped(statistics) : null;
  const threshold = input.threshold
    ? { ...input.threshold, scale: input.threshold.scale ?? ('absolute' as const) }
    : null;
  const control = statistics.find((s) => s.variantKey === CONTROL_KEY);
  if (!control) {
    throw new FactoredError(
      'invalid_input',
      `analyzeFactor(${input.factor}): the variant keys must include '${CONTROL_KEY}'.`,
    );
  }
  const controlSummary = adjustedSummary(control, cuped);
  const comparisons: FactorComparison[] = [];
  for (const treatment of statistics) {
    if (treatment.variantKey === CONTROL_KEY) continue;
    const lift = estimateLift(controlSummary, adjustedSummary(treatment, cuped), {
      alpha,
      inference: settings.inference,
      targetSampleSize: settings.sequentialTargetSampleSize,
    });
    const base = {
      variantKey: treatment.variantKey,
      controlKey: CONTROL_KEY,
      n: { control: control.n, treatment: treatment.n },
      method: cuped ? ('cuped' as const) : ('difference' as const),
      inference: settings.inference,
      confidenceLevel: 1 - alpha,
    };
    if (!lift) {
      comparisons.push({
        ...base,
        controlMean: control.n > 0 ? controlSummary.mean : null,
        treatmentMean: treatment.n > 0 ? adjustedSummary(treatment, cuped).mean : null,
        effect: null,
        standardError: null,
        ci: null,
        pValue: null,
        relativeLift: null,
        relativeCi: null,
        significant: false,
        passesThreshold: false,
        outcome: 'insufficient_data',
      });
      continue;
    }
    const significant = lift.ci[0] > 0 || lift.ci[1] < 0;
    const better = direction === 'higher' ? lift.effect > 0 : lift.effect < 0;
    comparisons.push({
      ...base,
      controlMean: lift.controlMean,
      treatmentMean: lift.treatmentMean,
      effect: lift.effect,
      standardError: lift.standardError,
      ci: lift.ci,
      pValue: lift.pValue,
      relativeLift: lift.relativeLift,
      relativeCi: lift.relativeCi,
      significant,
      passesThreshold: threshold ? isThresholdExceeded(lift, threshold) : false,
      outcome: !significant ? 'inconclusive' : better ? 'improvement' : 'regression',
    });
  }
  return {
    factor: input.factor,
    path: input.path,
    direction,
    threshold,
    cuped,
    variants: statistics.map((s) => ({
      variantKey: s.variantKey,
      n: s.n,
      nWithCovariate: s.nX,
      mean: s.n > 0 ? s.sumY / s.n : null,
    })),
    comparisons,
  };
}

/**
 * Analyzes an experiment from numbers alone (no store): the sample-ratio-mismatch check and,
 * per factor, CUPED-adjusted lifts of every treatment over control with intervals and
 * p-values. With `multipleComparisons: 'bonferroni'` each comparison runs at
 * `alpha / ((factors + metrics) × treatments)`, so the chance of any false "significant" stays at `alpha`.
 *
 * This is what {@link evaluateExperimentThresholds} runs after fetching the numbers, and what a
 * simulation or an offline analysis can call directly.
 */
export function analyzeExperiment(
  input: ExperimentAnalysisInput,
  options: GovernanceOptions = {},
): ExperimentEvaluation {
  const settings = resolveGovernanceSettings(options);
  const keys = input.variants.map((v) => v.key);
  if (!keys.includes(CONTROL_KEY) || keys.length < 2 || new Set(keys).size !== keys.length) {
    throw new FactoredError(
      'invalid_input',
      `experiment ${input.experimentId}: variants must have unique keys, include '${CONTROL_KEY}' and number at least 2 (got ${keys.join(', ')}).`,
    );
  }
  const comparisonsCount =
    (input.factors.length + (input.metrics?.length ?? 0)) * (keys.length - 1);
  const alpha =
    settings.multipleComparisons === 'bonferroni' && comparisonsCount > 1
      ? settings.alpha / comparisonsCount
      : settings.alpha;
  return {
    experimentId: input.experimentId,
    evaluatedAt: input.evaluatedAt,
    controlKey: CONTROL_KEY,
    weights: Object.fromEntries(input.variants.map((v) => [v.key, v.weight])),
    assigned: Object.fromEntries(keys.map((k) => [k, input.assigned[k] ?? 0])),
    srm: checkSrm(input.variants, input.assigned, settings),
    factors: input.factors.map((f) => analyzeFactor(f, keys, settings, alpha)),
    ...(input.metrics
      ? { metrics: input.metrics.map((m) => evaluateMetricGoal(m, keys, settings, alpha)) }
      : {}),
    settings,
  };
}
