import { chiSquareUpperTail } from './distributions.js';

/**
 * Standard normal CDF Φ(x), from the chi-square upper tail with one degree of freedom
 * (`P(|Z| > |x|) = Q(x², 1)`), so it shares that function's accuracy.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * chiSquareUpperTail(x * x, 1);
  return x >= 0 ? 1 - tail : tail;
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
