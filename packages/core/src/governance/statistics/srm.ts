import { FactoredError } from '../../errors.js';
import { chiSquareUpperTail } from './distributions.js';

/** Result of {@link sampleRatioMismatchTest}. */
export interface SampleRatioMismatchResult {
  /** Pearson's chi-square statistic `Σ (observed - expected)² / expected`. */
  statistic: number;
  /** Degrees of freedom: number of variants minus 1. */
  df: number;
  /** `P(χ²_df >= statistic)`. */
  pValue: number;
  /** Expected counts under the configured weights. */
  expected: number[];
}

/**
 * Pearson's chi-square goodness-of-fit test of observed assignment counts against configured
 * weights (the test of R's `chisq.test(x, p = w / sum(w))` and SciPy's
 * `chisquare(f_obs, f_exp)`). A tiny p-value means the assignment mechanism does not do what
 * the configuration says (a sample ratio mismatch): no effect estimate can be trusted then.
 */
export function sampleRatioMismatchTest(
  observed: readonly number[],
  weights: readonly number[],
): SampleRatioMismatchResult {
  if (observed.length !== weights.length || observed.length < 2) {
    throw new FactoredError(
      'invalid_input',
      `sampleRatioMismatchTest needs one count per weight and at least 2 variants (got ${observed.length} counts, ${weights.length} weights).`,
    );
  }
  if (observed.some((o) => !(Number.isInteger(o) && o >= 0))) {
    throw new FactoredError('invalid_input', 'observed counts must be non-negative integers.');
  }
  if (weights.some((w) => !(Number.isFinite(w) && w > 0))) {
    throw new FactoredError('invalid_input', 'weights must be positive numbers.');
  }
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (total * w) / weightSum);
  if (total === 0) return { statistic: 0, df: observed.length - 1, pValue: 1, expected };
  let statistic = 0;
  observed.forEach((o, i) => {
    const e = expected[i] as number;
    statistic += ((o - e) * (o - e)) / e;
  });
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareUpperTail(statistic, df), expected };
}
