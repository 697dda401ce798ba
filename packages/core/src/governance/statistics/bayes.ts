import { FactoredError } from '../../errors.js';
import { normalCdf, normalPdf } from './normal.js';

/** The Bayesian readout of one treatment-vs-control comparison. */
export interface BayesianReadout {
  /** Posterior probability that the treatment is better than control (in the better direction). */
  chanceToBeatControl: number;
  /** Expected loss of shipping the treatment: `E[max(0, −benefit)]`, in the metric's unit. */
  expectedLossTreatment: number;
  /** Expected loss of keeping control: `E[max(0, benefit)]`. */
  expectedLossControl: number;
}

/**
 * A readout, not a stopping rule: with flat priors and the normal approximation, the
 * difference `benefit = ±(treatment − control)` (signed so positive is better) has posterior
 * `N(μ, s²)` with `μ` the observed effect and `s` its standard error. Then
 *
 * - chance to beat control = `Φ(μ / s)`;
 * - expected loss of shipping = `s φ(μ/s) − μ Φ(−μ/s)`; of keeping control = `s φ(μ/s) + μ Φ(μ/s)`.
 *
 * Governance never decides on it (its verdicts use the frequentist tests with their error
 * guarantees); it answers "how likely is B better, and how much do we risk".
 */
export function bayesianReadout(
  effect: number,
  standardError: number,
  direction: 'higher' | 'lower' = 'higher',
): BayesianReadout {
  if (!Number.isFinite(effect) || !Number.isFinite(standardError) || !(standardError > 0))
    throw new FactoredError(
      'invalid_input',
      `bayesianReadout needs a finite effect and a positive standard error, got ${effect} and ${standardError}.`,
    );
  const mu = direction === 'higher' ? effect : -effect;
  const s = standardError;
  const z = mu / s;
  return {
    chanceToBeatControl: normalCdf(z),
    expectedLossTreatment: s * normalPdf(z) - mu * normalCdf(-z),
    expectedLossControl: s * normalPdf(z) + mu * normalCdf(z),
  };
}
