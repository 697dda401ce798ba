import {
  estimateLift,
  mixtureTuningConstant,
  normalMixtureConfidenceSequence,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

describe('normal-mixture confidence sequence', () => {
  it('has the closed form of Waudby-Smith et al. (2023) with ρ² = r / N*', () => {
    // For a mean of N observations with variance σ²: V = σ²/N and the radius is
    // σ sqrt(2(Nρ²+1)/(N²ρ²) · ln(sqrt(Nρ²+1)/α)).
    const sigma = 3;
    const n = 800;
    const target = 2000;
    const alpha = 0.05;
    const rho2 = mixtureTuningConstant(alpha) / target;
    const expected =
      sigma *
      Math.sqrt(
        ((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha),
      );
    const cs = normalMixtureConfidenceSequence({
      estimate: 1,
      variance: (sigma * sigma) / n,
      sampleSize: n,
      targetSampleSize: target,
      alpha,
    });
    expect(cs.radius).toBeCloseTo(expected, 12);
    expect(cs.ci[0]).toBeCloseTo(1 - expected, 12);
  });

  it('p <= alpha exactly when the interval excludes 0', () => {
    for (const estimate of [0, 0.05, 0.1, 0.15, 0.2, 0.3, -0.25]) {
      const cs = normalMixtureConfidenceSequence({
        estimate,
        variance: 0.0025,
        sampleSize: 1000,
        targetSampleSize: 2000,
      });
      const excludes = cs.ci[0] > 0 || cs.ci[1] < 0;
      expect(cs.pValue <= 0.05).toBe(excludes);
    }
  });

  it('is wider than the fixed-horizon interval and shrinks as data accrue', () => {
    const fixedHalf = 1.959963984540054 * Math.sqrt(0.01);
    const at = (n: number) =>
      normalMixtureConfidenceSequence({
        estimate: 0,
        variance: 10 / n,
        sampleSize: n,
        targetSampleSize: 2000,
      }).radius;
    expect(at(1000)).toBeGreaterThan(fixedHalf);
    expect(at(4000)).toBeLessThan(at(1000));
    expect(at(16_000)).toBeLessThan(at(4000));
  });

  it('covers the true effect at every look of a stream with probability >= 95%', () => {
    // 400 streams of a two-arm experiment, looked at after every 50 users per arm up to 3000.
    const rng = createRng(99);
    let everMissed = 0;
    for (let s = 0; s < 400; s += 1) {
      let n = 0;
      let sumT = 0;
      let sumT2 = 0;
      let sumC = 0;
      let sumC2 = 0;
      let missed = false;
      while (n < 3000 && !missed) {
        for (let i = 0; i < 50; i += 1) {
          const t = 0.3 + rng.normal();
          const c = rng.normal() * 1.5;
          sumT += t;
          sumT2 += t * t;
          sumC += c;
          sumC2 += c * c;
        }
        n += 50;
        const summary = (sum: number, sum2: number) => ({
          n,
          mean: sum / n,
          variance: (sum2 - (sum * sum) / n) / (n - 1),
        });
        const lift = estimateLift(summary(sumC, sumC2), summary(sumT, sumT2));
        if (lift && (lift.ci[0] > 0.3 || lift.ci[1] < 0.3)) missed = true;
      }
      if (missed) everMissed += 1;
    }
    // Nominal 5% = 20 streams; allow the Monte-Carlo margin of 3 standard deviations.
    expect(everMissed).toBeLessThanOrEqual(20 + 3 * Math.sqrt(400 * 0.05 * 0.95));
  });

  it('rejects a bad alpha, variance or sample size with invalid_input', () => {
    const ok = { estimate: 0, variance: 1, sampleSize: 10, targetSampleSize: 100 };
    expect(() => normalMixtureConfidenceSequence({ ...ok, alpha: 0 })).toThrow(/alpha/);
    expect(() => normalMixtureConfidenceSequence({ ...ok, variance: 0 })).toThrow(/variance/);
    expect(() => normalMixtureConfidenceSequence({ ...ok, sampleSize: 0 })).toThrow(/sampleSize/);
  });
});

describe('relative lift (delta method)', () => {
  it('covers the true relative lift about 95% of the time (fixed horizon)', () => {
    const rng = createRng(5);
    let covered = 0;
    const runs = 1000;
    for (let r = 0; r < runs; r += 1) {
      const draw = (mean: number, n: number) => {
        let sum = 0;
        let sum2 = 0;
        for (let i = 0; i < n; i += 1) {
          const v = mean + 2 * rng.normal();
          sum += v;
          sum2 += v * v;
        }
        return { n, mean: sum / n, variance: (sum2 - (sum * sum) / n) / (n - 1) };
      };
      const lift = estimateLift(draw(10, 400), draw(11, 400), { inference: 'fixed' });
      if (lift?.relativeCi && lift.relativeCi[0] <= 0.1 && lift.relativeCi[1] >= 0.1) covered += 1;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });

  it('is null when the control mean is 0', () => {
    const lift = estimateLift({ n: 10, mean: 0, variance: 1 }, { n: 10, mean: 1, variance: 1 });
    expect(lift?.relativeLift).toBeNull();
    expect(lift?.relativeCi).toBeNull();
    expect(lift?.effect).toBe(1);
  });
});
