import { FactoredError } from '../../errors.js';
import { normalQuantile } from './distributions.js';
import { normalCdf } from './normal.js';

/** What a power calculation assumes (fixed-horizon, two-sided, normal approximation). */
export interface PowerAssumptions {
  /** Variance of one user's value (for a conversion rate p: `p (1 - p)`). */
  variance: number;
  /** Two-sided significance level. Default 0.05. */
  alpha?: number;
  /** Wanted probability of detecting the effect. Default 0.8. */
  power?: number;
  /** Treatment users per control user. Default 1. */
  ratio?: number;
}

function check(name: string, value: number, ok: boolean): void {
  if (!ok || !Number.isFinite(value))
    throw new FactoredError('invalid_input', `${name} is out of range: ${value}.`, {
      details: { field: name },
    });
}

function resolve(a: PowerAssumptions) {
  const { variance, alpha = 0.05, power = 0.8, ratio = 1 } = a;
  check('variance', variance, variance > 0);
  check('alpha', alpha, alpha > 0 && alpha < 1);
  check('power', power, power > 0 && power < 1);
  check('ratio', ratio, ratio > 0);
  return { variance, alpha, power, ratio };
}

/**
 * Power of the two-sided z-test for a true difference `effect` with `n` control users and
 * `ratio × n` treatment users: `Φ(δ − z) + Φ(−δ − z)`, `δ = |effect| / √(σ²/n + σ²/(ratio n))`,
 * `z = z_{1−α/2}` (both tails, as statsmodels' `NormalIndPower` counts them).
 */
export function powerOfTest(
  effect: number,
  controlUsers: number,
  assumptions: Omit<PowerAssumptions, 'power'>,
): number {
  const { variance, alpha, ratio } = resolve({ ...assumptions, power: 0.5 });
  check('controlUsers', controlUsers, controlUsers > 0);
  const se = Math.sqrt(variance / controlUsers + variance / (ratio * controlUsers));
  const delta = Math.abs(effect) / se;
  const z = normalQuantile(1 - alpha / 2);
  return normalCdf(delta - z) + normalCdf(-delta - z);
}

/** Solves `f(x) = target` for increasing `f` on `(lo, hi)` by bisection (to 1e-12 relative). */
function solveIncreasing(f: (x: number) => number, target: number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  while (f(b) < target) b *= 2;
  for (let i = 0; i < 200 && b - a > 1e-12 * b; i += 1) {
    const mid = (a + b) / 2;
    if (f(mid) < target) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

/** A sample size: the exact solution and what to plan for. */
export interface SampleSize {
  /** Control users solving the power equation exactly (fractional). */
  exact: number;
  /** `ceil(exact)`: control users to plan for; treatment arms need `ratio ×` this. */
  perVariant: number;
}

/**
 * Users per variant needed to detect an absolute difference `minimumDetectableEffect` with the
 * given power (fixed-horizon; the default sequential inference of governance needs more, so
 * treat it as a lower bound there). Matches statsmodels'
 * `NormalIndPower().solve_power(effect_size = mde / σ, alpha, power, ratio)`.
 */
export function sampleSizePerVariant(
  minimumDetectableEffect: number,
  assumptions: PowerAssumptions,
): SampleSize {
  const a = resolve(assumptions);
  check('minimumDetectableEffect', minimumDetectableEffect, minimumDetectableEffect !== 0);
  const exact = solveIncreasing(
    (n) => powerOfTest(minimumDetectableEffect, n, a),
    a.power,
    1e-9,
    1,
  );
  return { exact, perVariant: Math.ceil(exact - 1e-9) };
}

/**
 * The smallest absolute difference detectable with `controlUsers` per variant at the given
 * power (the reverse of {@link sampleSizePerVariant}).
 */
export function minimumDetectableEffect(
  controlUsers: number,
  assumptions: PowerAssumptions,
): number {
  const a = resolve(assumptions);
  check('controlUsers', controlUsers, controlUsers > 0);
  const sd = Math.sqrt(a.variance);
  return solveIncreasing((e) => powerOfTest(e, controlUsers, a), a.power, 1e-12 * sd, sd);
}

/** Observed traffic and progress of a running experiment. */
export interface TrafficObservation {
  /** Users of the smallest variant so far (the one that limits the test). */
  usersPerVariantSoFar: number;
  /** Users entering that variant per day, observed (e.g. assigned over the last 7 days / 7). */
  usersPerVariantPerDay: number;
}

/**
 * Expected days until the test has {@link sampleSizePerVariant} users per variant at the
 * observed traffic: `0` when it already has them, `Infinity` without traffic.
 */
export function expectedDaysToDecision(
  minimumDetectableEffectValue: number,
  assumptions: PowerAssumptions,
  traffic: TrafficObservation,
): { requiredPerVariant: number; remainingPerVariant: number; days: number } {
  const { perVariant } = sampleSizePerVariant(minimumDetectableEffectValue, assumptions);
  check('usersPerVariantSoFar', traffic.usersPerVariantSoFar, traffic.usersPerVariantSoFar >= 0);
  check('usersPerVariantPerDay', traffic.usersPerVariantPerDay, traffic.usersPerVariantPerDay >= 0);
  const remaining = Math.max(0, perVariant - traffic.usersPerVariantSoFar);
  const days =
    remaining === 0
      ? 0
      : traffic.usersPerVariantPerDay === 0
        ? Number.POSITIVE_INFINITY
        : remaining / traffic.usersPerVariantPerDay;
  return { requiredPerVariant: perVariant, remainingPerVariant: remaining, days };
}
