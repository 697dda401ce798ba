import {
  adjustedSummary,
  analyzeExperiment,
  estimateCuped,
  summarizeValues,
  type VariantSufficientStatistics,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { accumulator, addUser, createRng } from './random.js';

type User = { y: number; x: number | null };

function sums(variantKey: string, users: readonly User[]): VariantSufficientStatistics {
  const acc = accumulator(variantKey);
  for (const u of users) addUser(acc, u.y, u.x);
  return acc;
}

describe('CUPED from sufficient statistics', () => {
  it('equals the adjustment computed user by user, with pooled theta and mean imputation', () => {
    const rng = createRng(7);
    const make = (shift: number): User[] =>
      Array.from({ length: 40 }, (_, i) => {
        const x = 10 + 2 * rng.normal();
        return { y: 5 + 0.8 * x + shift + rng.normal(), x: i % 5 === 0 ? null : x };
      });
    const control = make(0);
    const treatment = make(1);
    const controlSums = sums('control', control);
    const treatmentSums = sums('treatment', treatment);
    const stats = [controlSums, treatmentSums];
    const adjustment = estimateCuped(stats);
    expect(adjustment).not.toBeNull();
    if (!adjustment) return;

    // Direct computation over users: within-variant pooled slope, pooled covariate mean.
    const withX = (us: User[]) => us.filter((u): u is { y: number; x: number } => u.x !== null);
    let sxy = 0;
    let sxx = 0;
    let xs: number[] = [];
    for (const us of [control, treatment]) {
      const w = withX(us);
      const mx = w.reduce((a, u) => a + u.x, 0) / w.length;
      const my = w.reduce((a, u) => a + u.y, 0) / w.length;
      for (const u of w) {
        sxy += (u.x - mx) * (u.y - my);
        sxx += (u.x - mx) ** 2;
      }
      xs = xs.concat(w.map((u) => u.x));
    }
    const theta = sxy / sxx;
    const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(adjustment.theta).toBeCloseTo(theta, 10);
    expect(adjustment.covariateMean).toBeCloseTo(mu, 10);
    expect(adjustment.usersWithCovariate).toBe(xs.length);

    for (const [us, s] of [
      [control, controlSums],
      [treatment, treatmentSums],
    ] as const) {
      const direct = summarizeValues(
        us.map((u) => (u.x === null ? u.y : u.y - theta * (u.x - mu))),
      );
      const fromSums = adjustedSummary(s, adjustment);
      expect(fromSums.n).toBe(direct.n);
      expect(fromSums.mean).toBeCloseTo(direct.mean, 9);
      expect(fromSums.variance).toBeCloseTo(direct.variance, 9);
    }
  });

  it('falls back to the plain difference when no user has a pre-period value', () => {
    const stats = [
      sums('control', [
        { y: 1, x: null },
        { y: 2, x: null },
        { y: 3, x: null },
      ]),
      sums('treatment', [
        { y: 2, x: null },
        { y: 3, x: null },
        { y: 5, x: null },
      ]),
    ];
    expect(estimateCuped(stats)).toBeNull();
    const evaluation = analyzeExperiment({
      experimentId: '00000000-0000-4000-8000-000000000001',
      evaluatedAt: '2026-01-01T00:00:00.000Z',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ],
      assigned: { control: 3, treatment: 3 },
      factors: [{ factor: 'hesitation_ms', path: 'a/b/c/d', threshold: null, statistics: stats }],
    });
    const comparison = evaluation.factors[0]?.comparisons[0];
    expect(comparison?.method).toBe('difference');
    expect(comparison?.effect).toBeCloseTo(4 / 3, 12);
  });

  it('narrows the confidence interval on a pre/post-correlated factor (ratio ≈ sqrt(1 - ρ²))', () => {
    // y and x correlated with ρ = 0.7 in both arms; the expected width ratio is sqrt(1 - 0.49).
    const rng = createRng(2026);
    const rho = 0.7;
    const control = accumulator('control');
    const treatment = accumulator('treatment');
    for (let i = 0; i < 20_000; i += 1) {
      const x = 800 + 200 * rng.normal();
      const noise = 200 * Math.sqrt(1 - rho * rho) * rng.normal();
      const inTreatment = i % 2 === 1;
      const y = 800 + rho * (x - 800) + noise - (inTreatment ? 15 : 0);
      addUser(inTreatment ? treatment : control, y, x);
    }
    const run = (cuped: boolean) =>
      analyzeExperiment(
        {
          experimentId: '00000000-0000-4000-8000-000000000002',
          evaluatedAt: '2026-01-01T00:00:00.000Z',
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
          assigned: { control: control.n, treatment: treatment.n },
          factors: [
            {
              factor: 'hesitation_ms',
              path: 'a/b/c/d',
              threshold: null,
              statistics: [control, treatment],
            },
          ],
        },
        { cuped, inference: 'fixed' },
      ).factors[0]?.comparisons[0];
    const adjusted = run(true);
    const plain = run(false);
    expect(adjusted?.method).toBe('cuped');
    expect(plain?.method).toBe('difference');
    const width = (c: typeof adjusted) => (c?.ci ? c.ci[1] - c.ci[0] : Number.NaN);
    const ratio = width(adjusted) / width(plain);
    expect(ratio).toBeGreaterThan(0.68);
    expect(ratio).toBeLessThan(0.75);
    // Both estimate the true effect (-15); the adjusted one is tighter around it.
    expect(adjusted?.ci?.[0]).toBeLessThan(-15);
    expect(adjusted?.ci?.[1]).toBeGreaterThan(-15);
  });
});
