import { FactoredError } from '../../errors.js';
import { assertAlpha } from './welch.js';

/** Result of {@link normalMixtureConfidenceSequence}. */
export interface ConfidenceSequenceResult {
  /** The interval at this look; it covers the true effect at every look with prob. `1 - alpha`. */
  ci: [number, number];
  /** Half-width of `ci`. */
  radius: number;
  /**
   * Always-valid p-value `min(1, 1/Λ)`, where Λ is the mixture likelihood ratio against
   * "effect = 0". Rejecting whenever it is `<= alpha`, at any look, keeps the type-I error at
   * `alpha` (Ville's inequality). It is `<= alpha` exactly when `ci` excludes 0.
   */
  pValue: number;
  /** The mixture variance τ² used at this look. */
  mixtureVariance: number;
}

/**
 * The tuning constant `r` of the normal mixture: with `τ² = r · σ² / N*` the boundary is
 * (approximately) tightest after `N*` observations. `r = c + ln(1 + c)` with `c = -2 ln α`
 * (Waudby-Smith et al. 2023, eq. for the optimal ρ²).
 */
export function mixtureTuningConstant(alpha: number): number {
  const c = -2 * Math.log(alpha);
  return c + Math.log(1 + c);
}

/**
 * Two-sided asymptotic confidence sequence for an effect estimated as a (difference of)
 * mean(s), from the normal-mixture boundary of Robbins (1970) and Howard, Ramdas, McAuliffe,
 * Sekhon (2021, "Time-uniform, nonparametric, nonasymptotic confidence sequences", §3.4),
 * in the asymptotic form of Waudby-Smith, Arbour, Sinha, Kennedy, Ramdas (2023,
 * "Time-uniform central limit theory and asymptotic confidence sequences", Thm 2.2). It is also
 * the mixture SPRT of Johari, Koomen, Pekelis, Walsh (2022, "Always valid inference") with a
 * normal mixing distribution N(0, τ²):
 *
 * - `V` = estimated variance of the estimate (Welch: `s_t²/n_t + s_c²/n_c`)
 * - `τ² = r · V · N / N*`, where `N` is the current sample size, `N*` the target sample size
 *   (the tuning parameter) and `r` = {@link mixtureTuningConstant}; `V·N` estimates the
 *   per-user variance σ², so τ² is the fixed ρ² = r/N* on the scale of σ²
 * - `Λ(δ) = sqrt(V / (V + τ²)) · exp(τ² (Δ̂ - δ)² / (2 V (V + τ²)))`
 * - the interval `{δ : Λ(δ) < 1/α}` = `Δ̂ ± sqrt(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²)/V)))`
 * - the always-valid p-value `min(1, 1/Λ(0))`
 *
 * The coverage holds uniformly over all looks (as N grows), so a scheduled sweep can look
 * as often as it likes. Like every CLT-based method it is asymptotic: the plug-in variance
 * must be a decent estimate, which the minimum sample per variant of the verdict ensures.
 */
export function normalMixtureConfidenceSequence(input: {
  estimate: number;
  variance: number;
  sampleSize: number;
  targetSampleSize: number;
  alpha?: number;
}): ConfidenceSequenceResult {
  const { estimate, variance, sampleSize, targetSampleSize, alpha = 0.05 } = input;
  assertAlpha(alpha);
  if (!(variance > 0) || !Number.isFinite(variance)) {
    throw new FactoredError(
      'invalid_input',
      `variance must be a positive number, got ${variance}.`,
    );
  }
  if (!(sampleSize > 0) || !(targetSampleSize > 0)) {
    throw new FactoredError(
      'invalid_input',
      `sampleSize and targetSampleSize must be positive (got ${sampleSize} and ${targetSampleSize}).`,
    );
  }
  const tau2 = (mixtureTuningConstant(alpha) * variance * sampleSize) / targetSampleSize;
  const sum = variance + tau2;
  const radius = Math.sqrt(
    ((variance * sum) / tau2) * (2 * Math.log(1 / alpha) + Math.log(sum / variance)),
  );
  const logLambda =
    0.5 * Math.log(variance / sum) + (tau2 * estimate * estimate) / (2 * variance * sum);
  return {
    ci: [estimate - radius, estimate + radius],
    radius,
    pValue: Math.min(1, Math.exp(-logLambda)),
    mixtureVariance: tau2,
  };
}
