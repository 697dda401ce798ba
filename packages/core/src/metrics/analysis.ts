import { FactoredError } from '../errors.js';
import { type BayesianReadout, bayesianReadout } from '../governance/statistics/bayes.js';
import { estimateLift } from '../governance/statistics/lift.js';
import type { SampleSummary } from '../governance/statistics/moments.js';
import type { ComparisonOutcome, GovernanceSettings, InferenceMode } from '../governance/types.js';
import { emptyMetricStatistics } from './engine.js';
import type { MetricDirection, MetricKind, MetricVariantStatistics } from './types.js';

/**
 * A variant's metric as a {@link SampleSummary}, so every two-sample test applies unchanged:
 * `mean` is the ratio of means `R = Σy / Σd` and `variance` is `n` times its delta-method
 * variance,
 *
 * `n·Var(R) ≈ (s_yy − 2 R s_yd + R² s_dd) / d̄²`
 *
 * (first-order Taylor expansion of `ȳ / d̄` around the means; `s` are sample
 * (co)variances with divisor `n − 1`). With `d ≡ 1` (conversion, count, sum) this is exactly
 * the sample mean and variance of `y`. `mean` is `NaN` when `Σd = 0`, `variance` when
 * `n < 2`.
 */
export function metricSummary(s: MetricVariantStatistics): SampleSummary {
  const { n } = s;
  if (n <= 0 || s.sumD === 0) return { n: Math.max(0, n), mean: Number.NaN, variance: Number.NaN };
  const ratio = s.sumY / s.sumD;
  if (n < 2) return { n, mean: ratio, variance: Number.NaN };
  const dBar = s.sumD / n;
  const syy = (s.sumY2 - (s.sumY * s.sumY) / n) / (n - 1);
  const sdd = (s.sumD2 - (s.sumD * s.sumD) / n) / (n - 1);
  const syd = (s.sumYD - (s.sumY * s.sumD) / n) / (n - 1);
  const variance = (syy - 2 * ratio * syd + ratio * ratio * sdd) / (dBar * dBar);
  return { n, mean: ratio, variance: Math.max(0, variance) };
}

/** One treatment-vs-control comparison of a metric (numbers `null` without enough data). */
export interface MetricComparison {
  variantKey: string;
  controlKey: string;
  /** Exposed users per arm. */
  n: { control: number; treatment: number };
  controlValue: number | null;
  treatmentValue: number | null;
  /** Absolute lift: treatment value minus control value. */
  effect: number | null;
  standardError: number | null;
  ci: [number, number] | null;
  pValue: number | null;
  relativeLift: number | null;
  relativeCi: [number, number] | null;
  /** `delta` for ratio and mean metrics, `difference` for the others. */
  method: 'difference' | 'delta';
  inference: InferenceMode;
  confidenceLevel: number;
  significant: boolean;
  outcome: ComparisonOutcome;
  /**
   * Chance to beat control and expected losses (normal approximation, flat priors) from
   * `effect` and `standardError`: a readout beside the test, never a stopping rule.
   */
  bayesian: BayesianReadout | null;
}

/** Per-variant numbers of a metric. */
export interface VariantMetricSummary {
  variantKey: string;
  assigned: number;
  /** Exposed users. */
  n: number;
  /** `Σy / Σd`: conversion rate, mean count, mean sum, or the ratio; `null` without data. */
  value: number | null;
}

/** What {@link analyzeMetric} computed for one metric of one experiment. */
export interface MetricAnalysis {
  metric: string;
  version: number;
  kind: MetricKind;
  direction: MetricDirection;
  variants: VariantMetricSummary[];
  comparisons: MetricComparison[];
}

/** Input of {@link analyzeMetric}. */
export interface MetricAnalysisInput {
  metric: { name: string; version: number; kind: MetricKind; direction: MetricDirection };
  statistics: readonly MetricVariantStatistics[];
}

/**
 * Compares every treatment with control on one metric at level `alpha` (already corrected
 * for multiple comparisons by the caller): Welch on the delta-method summaries of
 * {@link metricSummary}, fixed-horizon or always-valid per `settings.inference`. `improvement`
 * and `regression` follow the metric's direction.
 */
export function analyzeMetric(
  input: MetricAnalysisInput,
  variantKeys: readonly string[],
  settings: Pick<GovernanceSettings, 'inference' | 'sequentialTargetSampleSize'>,
  alpha: number,
  controlKey = 'control',
): MetricAnalysis {
  const byKey = new Map(input.statistics.map((s) => [s.variantKey, s]));
  const rows = variantKeys.map((k) => byKey.get(k) ?? emptyMetricStatistics(k));
  const control = rows.find((r) => r.variantKey === controlKey);
  if (!control)
    throw new FactoredError(
      'invalid_input',
      `analyzeMetric(${input.metric.name}): the variant keys must include '${controlKey}'.`,
    );
  const method =
    input.metric.kind === 'ratio' || input.metric.kind === 'mean' ? 'delta' : 'difference';
  const controlSummary = metricSummary(control);
  const value = (s: MetricVariantStatistics) => (s.n > 0 && s.sumD !== 0 ? s.sumY / s.sumD : null);
  const comparisons: MetricComparison[] = [];
  for (const treatment of rows) {
    if (treatment.variantKey === controlKey) continue;
    const base = {
      variantKey: treatment.variantKey,
      controlKey,
      n: { control: control.n, treatment: treatment.n },
      controlValue: value(control),
      treatmentValue: value(treatment),
      method,
      inference: settings.inference,
      confidenceLevel: 1 - alpha,
    } as const;
    const treatmentSummary = metricSummary(treatment);
    const lift =
      Number.isFinite(controlSummary.mean) && Number.isFinite(treatmentSummary.mean)
        ? estimateLift(controlSummary, treatmentSummary, {
            alpha,
            inference: settings.inference,
            targetSampleSize: settings.sequentialTargetSampleSize,
          })
        : null;
    if (!lift) {
      comparisons.push({
        ...base,
        effect: null,
        standardError: null,
        ci: null,
        pValue: null,
        relativeLift: null,
        relativeCi: null,
        significant: false,
        outcome: 'insufficient_data',
        bayesian: null,
      });
      continue;
    }
    const significant = lift.ci[0] > 0 || lift.ci[1] < 0;
    const better = input.metric.direction === 'higher' ? lift.effect > 0 : lift.effect < 0;
    comparisons.push({
      ...base,
      effect: lift.effect,
      standardError: lift.standardError,
      ci: lift.ci,
      pValue: lift.pValue,
      relativeLift: lift.relativeLift,
      relativeCi: lift.relativeCi,
      significant,
      outcome: !significant ? 'inconclusive' : better ? 'improvement' : 'regression',
      bayesian:
        lift.standardError > 0
          ? bayesianReadout(lift.effect, lift.standardError, input.metric.direction)
          : null,
    });
  }
  return {
    metric: input.metric.name,
    version: input.metric.version,
    kind: input.metric.kind,
    direction: input.metric.direction,
    variants: rows.map((r) => ({
      variantKey: r.variantKey,
      assigned: r.assigned,
      n: r.n,
      value: value(r),
    })),
    comparisons,
  };
}
