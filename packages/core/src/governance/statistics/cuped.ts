import type { VariantSufficientStatistics } from '../types.js';
import { type SampleSummary, summarizeSums } from './moments.js';

/** The pooled CUPED coefficient and the covariate mean it centers on. */
export interface CupedAdjustment {
  /** `θ = Σ_v S_xy(v) / Σ_v S_xx(v)` over users with a covariate. */
  theta: number;
  /** Mean of x over every user with a covariate, all variants together. */
  covariateMean: number;
  /** Users with a covariate, all variants together. */
  usersWithCovariate: number;
}

/**
 * Estimates the CUPED coefficient (Deng, Xu, Kohavi, Walker 2013) pooled across variants.
 *
 * θ is the within-variant pooled regression slope of y on x:
 * `S_xx(v) = Σx² - (Σx)²/n_x`, `S_xy(v) = Σxy - Σx·Σy_x/n_x` per variant (over the users
 * that have x), `θ = Σ_v S_xy(v) / Σ_v S_xx(v)`. Pooling within variants keeps any treatment
 * effect out of θ; one θ for all variants keeps the adjusted difference unbiased because
 * randomization makes x independent of the variant.
 *
 * Returns `null` (use the plain difference of means) when fewer than 3 users have a covariate
 * or the covariate does not vary.
 */
export function estimateCuped(
  statistics: readonly VariantSufficientStatistics[],
): CupedAdjustment | null {
  let sxx = 0;
  let sxy = 0;
  let users = 0;
  let sumX = 0;
  for (const s of statistics) {
    if (s.nX <= 0) continue;
    users += s.nX;
    sumX += s.sumX;
    sxx += s.sumX2 - (s.sumX * s.sumX) / s.nX;
    sxy += s.sumXY - (s.sumX * s.sumYWithX) / s.nX;
  }
  if (users < 3) return null;
  const covariateMean = sumX / users;
  // Relative guard: a covariate whose spread is rounding noise carries no information.
  const scale = Math.max(1, Math.abs(covariateMean) * Math.abs(covariateMean) * users);
  if (!(sxx > 1e-12 * scale)) return null;
  return { theta: sxy / sxx, covariateMean, usersWithCovariate: users };
}

/**
 * Mean and variance of the CUPED-adjusted outcome of one variant:
 * `y' = y - θ (x - μ_x)` for users with x, and `y' = y` for users without (their missing x
 * is imputed by the pooled mean, so their adjustment is 0). From the sufficient statistics:
 *
 * - `Σy' = Σy - θ (Σx - n_x μ_x)`
 * - `Σy'² = Σy² - 2θ (Σxy - μ_x Σy_x) + θ² (Σx² - 2 μ_x Σx + n_x μ_x²)`
 *
 * Without an adjustment this is the plain summary of y.
 */
export function adjustedSummary(
  s: VariantSufficientStatistics,
  adjustment: CupedAdjustment | null,
): SampleSummary {
  if (!adjustment || s.nX === 0) return summarizeSums(s.n, s.sumY, s.sumY2);
  const { theta, covariateMean: mu } = adjustment;
  const sum = s.sumY - theta * (s.sumX - s.nX * mu);
  const crossCentered = s.sumXY - mu * s.sumYWithX;
  const xxCentered = s.sumX2 - 2 * mu * s.sumX + s.nX * mu * mu;
  const sumSquares = s.sumY2 - 2 * theta * crossCentered + theta * theta * xxCentered;
  return summarizeSums(s.n, sum, sumSquares);
}
