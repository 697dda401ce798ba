import type { InferenceMode } from '../types.js';
import { normalQuantile } from './distributions.js';
import type { SampleSummary } from './moments.js';
import { normalMixtureConfidenceSequence } from './sequential.js';
import { type WelchTestResult, welchStatistic, welchTest } from './welch.js';

/** Options of {@link estimateLift}. */
export interface LiftOptions {
  /** Two-sided level: intervals are `1 - alpha`. Default 0.05. */
  alpha?: number;
  /** `sequential` (default): confidence sequence and always-valid p; `fixed`: Welch t. */
  inference?: InferenceMode;
  /** Tuning of the confidence sequence: total users at which it is tightest. Default 2000. */
  targetSampleSize?: number;
}

/** Absolute and relative lift of treatment over control with intervals and a p-value. */
export interface LiftEstimate {
  controlMean: number;
  treatmentMean: number;
  /** `treatmentMean - controlMean`. */
  effect: number;
  /** Welch standard error of `effect`. */
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  ci: [number, number];
  pValue: number;
  /** `treatmentMean / controlMean - 1`, `null` when `controlMean` is 0. */
  relativeLift: number | null;
  relativeCi: [number, number] | null;
}

/**
 * Absolute lift with Welch's standard error, and relative lift with a delta-method standard
 * error: for `R = ȳ_t / ȳ_c - 1`,
 * `Var(R) ≈ Var(ȳ_t)/ȳ_c² + ȳ_t² Var(ȳ_c)/ȳ_c⁴` with `Var(ȳ) = s²/n` (the arms are
 * independent, so there is no covariance term).
 *
 * - `fixed`: the Welch t interval and p-value for the absolute lift; `R ± z_{1-α/2} SE_R`.
 * - `sequential`: {@link normalMixtureConfidenceSequence} on each, with `N = n_t + n_c`.
 *
 * Pass CUPED-adjusted summaries to get CUPED lifts. Returns `null` when the Welch test is
 * undefined (fewer than 2 values in an arm or no variance at all).
 */
export function estimateLift(
  control: SampleSummary,
  treatment: SampleSummary,
  options: LiftOptions = {},
): LiftEstimate | null {
  const { alpha = 0.05, inference = 'sequential', targetSampleSize = 2000 } = options;
  const sampleSize = control.n + treatment.n;
  let welch: Pick<WelchTestResult, 'difference' | 'standardError' | 'df'> | null;
  let ci: [number, number];
  let pValue: number;
  if (inference === 'sequential') {
    // No t quantile needed: the boundary is the mixture's.
    welch = welchStatistic(treatment, control);
    if (!welch) return null;
    const cs = normalMixtureConfidenceSequence({
      estimate: welch.difference,
      variance: welch.standardError * welch.standardError,
      sampleSize,
      targetSampleSize,
      alpha,
    });
    ci = cs.ci;
    pValue = cs.pValue;
  } else {
    const fixed = welchTest(treatment, control, alpha);
    if (!fixed) return null;
    welch = fixed;
    ci = fixed.ci;
    pValue = fixed.pValue;
  }
  let relativeLift: number | null = null;
  let relativeCi: [number, number] | null = null;
  if (control.mean !== 0) {
    const c = control.mean;
    const t = treatment.mean;
    relativeLift = t / c - 1;
    const varianceR =
      treatment.variance / treatment.n / (c * c) +
      (t * t * (control.variance / control.n)) / (c * c * c * c);
    if (varianceR > 0) {
      if (inference === 'sequential') {
        relativeCi = normalMixtureConfidenceSequence({
          estimate: relativeLift,
          variance: varianceR,
          sampleSize,
          targetSampleSize,
          alpha,
        }).ci;
      } else {
        const half = normalQuantile(1 - alpha / 2) * Math.sqrt(varianceR);
        relativeCi = [relativeLift - half, relativeLift + half];
      }
    }
  }
  return {
    controlMean: control.mean,
    treatmentMean: treatment.mean,
    effect: welch.difference,
    standardError: welch.standardError,
    df: welch.df,
    ci,
    pValue,
    relativeLift,
    relativeCi,
  };
}
