import {
  analyzeExperiment,
  assertValidThreshold,
  computeGovernanceVerdict,
  DEFAULT_GOVERNANCE_SETTINGS,
  type FactorAnalysisInput,
  FactoredError,
  isThresholdExceeded,
  resolveGovernanceSettings,
  resolveThresholds,
  type VariantSufficientStatistics,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const EXPERIMENT = '00000000-0000-4000-8000-0000000e0001';
const PATH = 'shop/checkout/pay-form/submit';

/** Sufficient statistics of n users with mean m and standard deviation sd (no covariate). */
function arm(variantKey: string, n: number, mean: number, sd = 1): VariantSufficientStatistics {
  return {
    variantKey,
    assigned: n,
    n,
    sumY: n * mean,
    sumY2: (n - 1) * sd * sd + n * mean * mean,
    nX: 0,
    sumX: 0,
    sumX2: 0,
    sumXY: 0,
    sumYWithX: 0,
  };
}

function factor(
  name: FactorAnalysisInput['factor'],
  stats: VariantSufficientStatistics[],
  threshold: { operator: 'gt' | 'gte' | 'lt' | 'lte'; value: number } | null,
): FactorAnalysisInput {
  return {
    factor: name,
    path: PATH,
    threshold: threshold ? { id: `t-${name}`, ...threshold } : null,
    statistics: stats,
  };
}

function verdictOf(
  factors: FactorAnalysisInput[],
  variants = [
    { key: 'control', weight: 50 },
    { key: 'treatment', weight: 50 },
  ],
  assigned?: Record<string, number>,
) {
  const evaluation = analyzeExperiment({
    experimentId: EXPERIMENT,
    evaluatedAt: '2026-02-01T00:00:00.000Z',
    variants,
    assigned: assigned ?? Object.fromEntries(variants.map((v) => [v.key, 1000])),
    factors,
  });
  return { evaluation, decision: computeGovernanceVerdict(evaluation) };
}

describe('computeGovernanceVerdict (DESIGN §7 rules)', () => {
  it('concludes on a significant improvement beyond the threshold', () => {
    const { decision, evaluation } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.6, 0.2)],
        {
          operator: 'gte',
          value: 0.05,
        },
      ),
    ]);
    expect(decision).toMatchObject({ verdict: 'conclude', winner: 'treatment' });
    const c = evaluation.factors[0]?.comparisons[0];
    expect(c).toMatchObject({ outcome: 'improvement', significant: true, passesThreshold: true });
    expect(c?.effect).toBeCloseTo(0.1, 12);
    expect(c?.relativeLift).toBeCloseTo(0.2, 12);
  });

  it('continues when the improvement is significant but below the practical threshold', () => {
    const { decision, evaluation } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.6, 0.2)],
        {
          operator: 'gte',
          value: 0.15,
        },
      ),
    ]);
    expect(evaluation.factors[0]?.comparisons[0]?.outcome).toBe('improvement');
    expect(decision.verdict).toBe('continue');
  });

  it('flags a significant regression, even when another factor wins', () => {
    const { decision } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.6, 0.2)],
        {
          operator: 'gte',
          value: 0,
        },
      ),
      factor('error_rate', [arm('control', 1000, 0.1, 0.1), arm('treatment', 1000, 0.2, 0.1)], {
        operator: 'lte',
        value: 0,
      }),
    ]);
    expect(decision.verdict).toBe('flag_review');
    expect(decision.reason).toMatch(/regression.*error_rate/i);
  });

  it('flags a regression even below the minimum sample (the order of §7)', () => {
    const { decision } = verdictOf([
      factor('error_rate', [arm('control', 40, 0.1, 0.05), arm('treatment', 40, 0.5, 0.05)], {
        operator: 'lte',
        value: 0,
      }),
    ]);
    expect(decision.verdict).toBe('flag_review');
  });

  it('continues below the minimum sample per variant, even with a big improvement', () => {
    const { decision } = verdictOf([
      factor('error_rate', [arm('control', 99, 0.5, 0.05), arm('treatment', 500, 0.1, 0.05)], {
        operator: 'lte',
        value: 0,
      }),
    ]);
    expect(decision.verdict).toBe('continue');
    expect(decision.reason).toMatch(/minimum sample of 100/);
  });

  it('flags a sample ratio mismatch before anything else', () => {
    const { decision } = verdictOf(
      [
        factor(
          'completion_rate',
          [arm('control', 900, 0.5, 0.2), arm('treatment', 1100, 0.6, 0.2)],
          {
            operator: 'gte',
            value: 0,
          },
        ),
      ],
      undefined,
      { control: 900, treatment: 1100 },
    );
    expect(decision.verdict).toBe('flag_review');
    expect(decision.reason).toMatch(/sample ratio mismatch/i);
  });

  it('does not test SRM before every variant expects a handful of users', () => {
    const { evaluation } = verdictOf([], undefined, { control: 0, treatment: 9 });
    expect(evaluation.srm).toEqual({
      tested: false,
      statistic: null,
      df: null,
      pValue: null,
      flagged: false,
    });
    // ...but a variant that receives nobody is caught once the expected counts are there.
    const late = verdictOf([], undefined, { control: 0, treatment: 40 });
    expect(late.evaluation.srm.flagged).toBe(true);
  });

  it('flags disagreeing winners across factors', () => {
    const variants = [
      { key: 'control', weight: 34 },
      { key: 'a', weight: 33 },
      { key: 'b', weight: 33 },
    ];
    const { decision } = verdictOf(
      [
        factor(
          'completion_rate',
          [arm('control', 1000, 0.5, 0.2), arm('a', 1000, 0.6, 0.2), arm('b', 1000, 0.5, 0.2)],
          { operator: 'gte', value: 0 },
        ),
        factor(
          'error_rate',
          [arm('control', 1000, 0.3, 0.1), arm('a', 1000, 0.3, 0.1), arm('b', 1000, 0.2, 0.1)],
          { operator: 'lte', value: 0 },
        ),
      ],
      variants,
      { control: 1020, a: 990, b: 990 },
    );
    expect(decision.verdict).toBe('flag_review');
    expect(decision.reason).toMatch(/disagree \(a vs b\)/);
  });

  it('concludes when several factors agree on one variant', () => {
    const { decision } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.6, 0.2)],
        {
          operator: 'gte',
          value: 0,
        },
      ),
      factor('error_rate', [arm('control', 1000, 0.3, 0.1), arm('treatment', 1000, 0.2, 0.1)], {
        operator: 'lte',
        value: -0.05,
      }),
    ]);
    expect(decision).toMatchObject({ verdict: 'conclude', winner: 'treatment' });
  });

  it('continues without thresholds, or when nothing is significant', () => {
    expect(verdictOf([]).decision.verdict).toBe('continue');
    const { decision } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.501, 0.2)],
        {
          operator: 'gte',
          value: 0,
        },
      ),
    ]);
    expect(decision.verdict).toBe('continue');
  });

  it('reports insufficient data instead of numbers when an arm has fewer than 2 users', () => {
    const { evaluation } = verdictOf([
      factor('completion_rate', [arm('control', 1, 0.5), arm('treatment', 0, 0)], null),
    ]);
    const c = evaluation.factors[0]?.comparisons[0];
    expect(c).toMatchObject({ outcome: 'insufficient_data', effect: null, ci: null, pValue: null });
    expect(evaluation.factors[0]?.variants).toEqual([
      { variantKey: 'control', n: 1, nWithCovariate: 0, mean: 0.5 },
      { variantKey: 'treatment', n: 0, nWithCovariate: 0, mean: null },
    ]);
  });

  it('applies Bonferroni across factors and treatments', () => {
    const { evaluation } = verdictOf([
      factor(
        'completion_rate',
        [arm('control', 1000, 0.5, 0.2), arm('treatment', 1000, 0.6, 0.2)],
        null,
      ),
      factor(
        'error_rate',
        [arm('control', 1000, 0.3, 0.1), arm('treatment', 1000, 0.2, 0.1)],
        null,
      ),
    ]);
    expect(evaluation.factors[0]?.comparisons[0]?.confidenceLevel).toBeCloseTo(0.975, 12);
    expect(evaluation.settings).toEqual(DEFAULT_GOVERNANCE_SETTINGS);
  });
});

describe('thresholds', () => {
  const base = {
    id: '00000000-0000-4000-8000-00000000f001',
    experimentId: null,
    path: null,
  };

  it('isThresholdExceeded compares the lift on the threshold scale', () => {
    expect(isThresholdExceeded(0.03, { operator: 'gte', value: 0.03 })).toBe(true);
    expect(isThresholdExceeded(0.03, { operator: 'gt', value: 0.03 })).toBe(false);
    expect(isThresholdExceeded(-0.02, { operator: 'lte', value: -0.01 })).toBe(true);
    expect(isThresholdExceeded(-0.01, { operator: 'lt', value: -0.01 })).toBe(false);
    expect(isThresholdExceeded(null, { operator: 'gte', value: 0 })).toBe(false);
    const estimate = { effect: 0.01, relativeLift: 0.08 };
    expect(isThresholdExceeded(estimate, { operator: 'gte', value: 0.05, scale: 'relative' })).toBe(
      true,
    );
    expect(isThresholdExceeded(estimate, { operator: 'gte', value: 0.05 })).toBe(false);
  });

  it('assertValidThreshold fills in the scale and enforces the better direction', () => {
    expect(
      assertValidThreshold({ ...base, factor: 'completion_rate', operator: 'gte', value: 0.02 }),
    ).toEqual({
      ...base,
      factor: 'completion_rate',
      operator: 'gte',
      value: 0.02,
      scale: 'absolute',
    });
    const bad: unknown[] = [
      { ...base, factor: 'completion_rate', operator: 'lte', value: 0.02 },
      { ...base, factor: 'completion_rate', operator: 'gte', value: -0.02 },
      { ...base, factor: 'error_rate', operator: 'gte', value: 0.01 },
      { ...base, factor: 'error_rate', operator: 'lte', value: 0.01 },
      { ...base, factor: 'component_depth', operator: 'gte', value: 1 },
      { ...base, factor: 'nope', operator: 'gte', value: 1 },
      { ...base, factor: 'error_rate', operator: 'lte', value: Number.NaN },
      { ...base, factor: 'error_rate', operator: 'eq', value: 0 },
      { ...base, factor: 'error_rate', operator: 'lte', value: 0, scale: 'log' },
      { ...base, id: 'x', factor: 'error_rate', operator: 'lte', value: 0 },
      { ...base, path: 'a//b', factor: 'error_rate', operator: 'lte', value: 0 },
    ];
    for (const threshold of bad) {
      expect(() => assertValidThreshold(threshold)).toThrow(FactoredError);
    }
  });

  it("resolveThresholds prefers the experiment's own threshold over a global one", () => {
    const experiment = { id: EXPERIMENT, path: PATH };
    const resolved = resolveThresholds(
      [
        {
          ...base,
          id: '00000000-0000-4000-8000-000000000003',
          factor: 'error_rate',
          operator: 'lte',
          value: -0.01,
        },
        {
          ...base,
          id: '00000000-0000-4000-8000-000000000004',
          experimentId: EXPERIMENT,
          path: PATH,
          factor: 'error_rate',
          operator: 'lte',
          value: -0.05,
        },
        {
          ...base,
          id: '00000000-0000-4000-8000-000000000005',
          experimentId: '00000000-0000-4000-8000-0000000e0002',
          factor: 'completion_rate',
          operator: 'gte',
          value: 0,
        },
      ],
      experiment,
    );
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ value: -0.05, path: PATH, scale: 'absolute' });
  });

  it('resolveGovernanceSettings validates every option', () => {
    expect(() => resolveGovernanceSettings({ alpha: 1 })).toThrow(/alpha/);
    expect(() => resolveGovernanceSettings({ minSamplePerVariant: 0 })).toThrow(
      /minSamplePerVariant/,
    );
    expect(() => resolveGovernanceSettings({ inference: 'bayes' as 'fixed' })).toThrow(/inference/);
    expect(resolveGovernanceSettings({ alpha: 0.1 }).alpha).toBe(0.1);
  });
});
