import {
  bayesianReadout,
  expectedDaysToDecision,
  FactoredError,
  minimumDetectableEffect,
  normalCdf,
  powerOfTest,
  sampleSizePerVariant,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

/*
 * Reference values computed once with statsmodels 0.15.0 and SciPy 1.17.1, never at test time.
 * The exact call is next to each value. Tolerance 1e-6 relative.
 */
const close = (actual: number, expected: number, tol = 1e-6) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

const P = 0.1;
const CONVERSION = { variance: P * (1 - P) };

describe('power (statsmodels NormalIndPower)', () => {
  it('sample size per variant for a minimum detectable effect', () => {
    // NormalIndPower().solve_power(effect_size=0.01/sqrt(0.09), alpha=0.05, power=0.8, ratio=1)
    const conversion = sampleSizePerVariant(0.01, CONVERSION);
    close(conversion.exact, 14127.94891680153);
    expect(conversion.perVariant).toBe(14128);
    // NormalIndPower().solve_power(effect_size=2/30, alpha=0.01, power=0.9, ratio=2)
    const revenue = sampleSizePerVariant(2, { variance: 900, alpha: 0.01, power: 0.9, ratio: 2 });
    close(revenue.exact, 5021.793168336034);
    // a negative effect (lower is better) needs the same users
    close(sampleSizePerVariant(-0.01, CONVERSION).exact, 14127.94891680153);
  });

  it('minimum detectable effect for a sample size (the reverse)', () => {
    // NormalIndPower().solve_power(nobs1=5000, alpha=0.05, power=0.8, ratio=1) * sqrt(0.09)
    close(minimumDetectableEffect(5000, CONVERSION), 0.016808948983505642);
  });

  it('power of a test', () => {
    // NormalIndPower().power(effect_size=0.01/sqrt(0.09), nobs1=10000, alpha=0.05, ratio=1)
    close(powerOfTest(0.01, 10_000, CONVERSION), 0.6543457917372245);
  });

  it('expected days to a decision from observed traffic', () => {
    const traffic = { usersPerVariantSoFar: 4128, usersPerVariantPerDay: 500 };
    expect(expectedDaysToDecision(0.01, CONVERSION, traffic)).toEqual({
      requiredPerVariant: 14128,
      remainingPerVariant: 10_000,
      days: 20,
    });
    expect(
      expectedDaysToDecision(0.01, CONVERSION, { ...traffic, usersPerVariantSoFar: 20_000 }).days,
    ).toBe(0);
    expect(
      expectedDaysToDecision(0.01, CONVERSION, { ...traffic, usersPerVariantPerDay: 0 }).days,
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses impossible inputs with invalid_input', () => {
    const cases = [
      () => sampleSizePerVariant(0, CONVERSION),
      () => sampleSizePerVariant(0.01, { variance: 0 }),
      () => sampleSizePerVariant(0.01, { ...CONVERSION, power: 1 }),
      () => sampleSizePerVariant(0.01, { ...CONVERSION, alpha: 0 }),
      () => minimumDetectableEffect(0, CONVERSION),
    ];
    for (const call of cases) {
      expect(call).toThrow(FactoredError);
      try {
        call();
      } catch (error) {
        expect((error as FactoredError).code).toBe('invalid_input');
      }
    }
  });
});

describe('Bayesian readout (normal approximation; SciPy)', () => {
  // c  = scipy.stats.norm.cdf(mu / s)
  // lt = scipy.integrate.quad(lambda x: max(0, -x) * norm.pdf(x, mu, s), -inf, inf)[0]
  // lc = scipy.integrate.quad(lambda x: max(0,  x) * norm.pdf(x, mu, s), -inf, inf)[0]
  const cases: [number, number, number, number, number][] = [
    [0.8, 0.5, 0.945200708300442, 0.011620983980081382, 0.8116209839800815],
    [-0.3, 0.2, 0.06680720126885809, 0.30586135875252096, 0.00586135875252093],
    [0, 1, 0.5, 0.39894228040143265, 0.39894228040143265],
  ];
  it('chance to beat control and expected losses', () => {
    for (const [mu, s, chance, lossTreatment, lossControl] of cases) {
      const r = bayesianReadout(mu, s, 'higher');
      close(r.chanceToBeatControl, chance);
      close(r.expectedLossTreatment, lossTreatment);
      close(r.expectedLossControl, lossControl);
    }
  });

  it('lower-is-better metrics read the effect the other way', () => {
    const r = bayesianReadout(-0.8, 0.5, 'lower');
    close(r.chanceToBeatControl, 0.945200708300442);
    close(r.expectedLossTreatment, 0.011620983980081382);
  });

  it('normalCdf matches scipy.stats.norm.cdf', () => {
    // scipy.stats.norm.cdf(1.6), norm.cdf(-1.6), norm.cdf(-8)
    close(normalCdf(1.6), 0.945200708300442);
    close(normalCdf(-1.6), 0.05479929169955799);
    close(normalCdf(-8) / 6.22096057427174e-16, 1);
  });

  it('refuses a zero or non-finite standard error', () => {
    expect(() => bayesianReadout(1, 0)).toThrow(FactoredError);
    expect(() => bayesianReadout(Number.NaN, 1)).toThrow(FactoredError);
  });
});
