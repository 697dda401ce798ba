import { FactoredError } from '../../errors.js';
import { studentTQuantile, studentTTwoSidedPValue } from './distributions.js';
import type { SampleSummary } from './moments.js';

/** Result of {@link welchTest}: treatment minus control. */
export interface WelchTestResult {
  /** `mean(treatment) - mean(control)`. */
  difference: number;
  /** `sqrt(s_t²/n_t + s_c²/n_c)`. */
  standardError: number;
  /** `difference / standardError`. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (fractional). */
  df: number;
  /** Two-sided p-value against "no difference". */
  pValue: number;
  /** Two-sided `1 - alpha` confidence interval of the difference. */
  ci: [number, number];
}

/** Throws `invalid_input` unless `alpha` is a probability strictly between 0 and 1. */
export function assertAlpha(alpha: number, field = 'alpha'): void {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be a number strictly between 0 and 1 (for example 0.05), got ${alpha}.`,
    );
  }
}

/**
 * Welch's unequal-variances t-test of `treatment` vs `control` (Welch 1947), the test of
 * R's `t.test(var.equal = FALSE)` and SciPy's `ttest_ind(equal_var = False)`:
 *
 * - `SE = sqrt(s_t²/n_t + s_c²/n_c)`, `t = (ȳ_t - ȳ_c) / SE`
 * - `df = SE⁴ / ((s_t²/n_t)²/(n_t-1) + (s_c²/n_c)²/(n_c-1))`
 * - `p = 2 P(T_df <= -|t|)`, `CI = (ȳ_t - ȳ_c) ± t_{df, 1-alpha/2} SE`
 *
 * Returns `null` when the test is undefined: fewer than 2 observations in a group, or zero
 * variance in both groups.
 */
export function welchTest(
  treatment: SampleSummary,
  control: SampleSummary,
  alpha = 0.05,
): WelchTestResult | null {
  assertAlpha(alpha);
  const moments = welchStatistic(treatment, control);
  if (!moments) return null;
  const { difference, standardError, t, df } = moments;
  const q = studentTQuantile(1 - alpha / 2, df);
  return {
    difference,
    standardError,
    t,
    df,
    pValue: studentTTwoSidedPValue(t, df),
    ci: [difference - q * standardError, difference + q * standardError],
  };
}

/**
 * The distribution-free part of {@link welchTest}: difference, standard error, t and the
 * Welch–Satterthwaite df, without quantiles or p-values (what a confidence sequence needs).
 * `null` in the same cases as {@link welchTest}.
 */
export function welchStatistic(
  treatment: SampleSummary,
  control: SampleSummary,
): Pick<WelchTestResult, 'difference' | 'standardError' | 't' | 'df'> | null {
  if (treatment.n < 2 || control.n < 2) return null;
  const vt = treatment.variance / treatment.n;
  const vc = control.variance / control.n;
  const variance = vt + vc;
  if (!(variance > 0)) return null;
  const standardError = Math.sqrt(variance);
  const difference = treatment.mean - control.mean;
  const df = (variance * variance) / ((vt * vt) / (treatment.n - 1) + (vc * vc) / (control.n - 1));
  return { difference, standardError, t: difference / standardError, df };
}
