/**
 * Distribution functions used by the governance statistics, all from the `@stdlib` project
 * (https://stdlib.io), whose implementations follow the Boost/Cephes algorithms and are checked
 * against reference values to near machine precision. Thin wrappers only: they name the tail
 * and guard the edge cases (infinite degrees of freedom) so callers cannot get them wrong.
 */
import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Above this many degrees of freedom Student's t equals the standard normal to ~1e-12. */
const NORMAL_LIMIT_DF = 1e12;

/** The `p`-quantile of the standard normal distribution. */
export function normalQuantile(p: number): number {
  return normalQuantileStd(p, 0, 1);
}

/** The `p`-quantile of Student's t with `df` degrees of freedom (`df` may be fractional). */
export function studentTQuantile(p: number, df: number): number {
  return df > NORMAL_LIMIT_DF || !Number.isFinite(df) ? normalQuantile(p) : tQuantile(p, df);
}

/**
 * Two-sided p-value of a t statistic: `2 * P(T_df <= -|t|)`, computed from the lower tail so
 * small p-values keep their precision.
 */
export function studentTTwoSidedPValue(t: number, df: number): number {
  const lower =
    df > NORMAL_LIMIT_DF || !Number.isFinite(df)
      ? tCdf(-Math.abs(t), NORMAL_LIMIT_DF)
      : tCdf(-Math.abs(t), df);
  return Math.min(1, 2 * lower);
}

/** Upper tail `P(X >= x)` of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareUpperTail(x: number, df: number): number {
  return Math.max(0, 1 - chiSquareCdf(x, df));
}
