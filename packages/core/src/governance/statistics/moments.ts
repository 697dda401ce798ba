/** Mean and sample variance of one group, the input of every two-sample test here. */
export interface SampleSummary {
  /** Number of observations. */
  n: number;
  /** Sample mean (`NaN` when `n = 0`). */
  mean: number;
  /** Unbiased sample variance, divisor `n - 1` (`NaN` when `n < 2`). */
  variance: number;
}

/**
 * Summarizes a group from its count, sum and sum of squares. The variance is clamped at 0:
 * with float rounding, `Σy² - (Σy)²/n` can come out a hair below zero for constant data.
 */
export function summarizeSums(n: number, sum: number, sumSquares: number): SampleSummary {
  if (n <= 0) return { n: 0, mean: Number.NaN, variance: Number.NaN };
  const mean = sum / n;
  if (n < 2) return { n, mean, variance: Number.NaN };
  const centered = sumSquares - (sum * sum) / n;
  return { n, mean, variance: Math.max(0, centered / (n - 1)) };
}

/** Summarizes raw values (tests, small inputs); same definitions as {@link summarizeSums}. */
export function summarizeValues(values: readonly number[]): SampleSummary {
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    sum += v;
    sumSquares += v * v;
  }
  return summarizeSums(values.length, sum, sumSquares);
}
