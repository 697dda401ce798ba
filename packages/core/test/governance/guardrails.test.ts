import {
  analyzeExperiment,
  computeGovernanceVerdict,
  type GovernanceVerdict,
  type MetricGoalInput,
  type MetricVariantStatistics,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

/*
 * Seeded simulations of a scheduled sweep with a primary metric and a guardrail, on the pure
 * analysis and verdict functions over metric sufficient statistics (what a store returns).
 *
 * Model per user (50/50): primary = conversion, Bernoulli(10%) in control and 10% + `lift` in
 * treatment (higher is better); guardrail = revenue per user ~ N(10, 3²) in control and
 * N(10 × (1 + `guardrailChange`), 3²) in treatment (higher is better), non-inferiority margin
 * 5% relative. Looks every 200 users up to 4,000; the sweep stops at the first verdict that is
 * not `continue` (conclude ends an experiment; a flag stops it for a human).
 */
const SIMULATIONS = 500;
const USERS = 4000;
const LOOK_EVERY = 200;
const VARIANTS = [
  { key: 'control', weight: 50 },
  { key: 'treatment', weight: 50 },
];

const empty = (variantKey: string): MetricVariantStatistics => ({
  variantKey,
  assigned: 0,
  n: 0,
  sumY: 0,
  sumY2: 0,
  sumD: 0,
  sumD2: 0,
  sumYD: 0,
});

function add(row: MetricVariantStatistics, y: number): void {
  row.assigned += 1;
  row.n += 1;
  row.sumY += y;
  row.sumY2 += y * y;
  row.sumD += 1;
  row.sumD2 += 1;
  row.sumYD += y;
}

function simulate(
  seed: number,
  model: { lift: number; guardrailChange: number; guardrail?: boolean },
): { verdict: GovernanceVerdict; winner: string | null; reason: string } {
  const rng = createRng(seed);
  const conversion = { control: empty('control'), treatment: empty('treatment') };
  const revenue = { control: empty('control'), treatment: empty('treatment') };
  let last = {
    verdict: 'continue' as GovernanceVerdict,
    winner: null as string | null,
    reason: '',
  };
  for (let user = 1; user <= USERS; user += 1) {
    const key = rng.uniform() < 0.5 ? 'treatment' : 'control';
    const p = 0.1 + (key === 'treatment' ? model.lift : 0);
    add(conversion[key], rng.uniform() < p ? 1 : 0);
    const mean = 10 * (1 + (key === 'treatment' ? model.guardrailChange : 0));
    add(revenue[key], mean + 3 * rng.normal());
    if (user % LOOK_EVERY !== 0) continue;
    const metrics: MetricGoalInput[] = [
      {
        role: 'primary',
        metric: {
          name: 'checkout-conversion',
          version: 1,
          kind: 'conversion',
          direction: 'higher',
        },
        statistics: [{ ...conversion.control }, { ...conversion.treatment }],
        value: 0,
        scale: 'absolute',
      },
    ];
    if (model.guardrail !== false)
      metrics.push({
        role: 'guardrail',
        metric: { name: 'revenue', version: 1, kind: 'sum', direction: 'higher' },
        statistics: [{ ...revenue.control }, { ...revenue.treatment }],
        value: 0.05,
        scale: 'relative',
      });
    const evaluation = analyzeExperiment({
      experimentId: '00000000-0000-4000-8000-000000000019',
      evaluatedAt: '2026-11-29T00:00:00.000Z',
      variants: VARIANTS,
      assigned: { control: conversion.control.assigned, treatment: conversion.treatment.assigned },
      factors: [],
      metrics,
    });
    last = computeGovernanceVerdict(evaluation);
    if (last.verdict !== 'continue') return last;
  }
  return last;
}

function tally(model: Parameters<typeof simulate>[1]) {
  const counts = { conclude: 0, continue: 0, flag_review: 0 };
  const reasons: string[] = [];
  for (let seed = 1; seed <= SIMULATIONS; seed += 1) {
    const outcome = simulate(seed, model);
    counts[outcome.verdict] += 1;
    if (outcome.verdict === 'flag_review') reasons.push(outcome.reason);
  }
  return { counts, reasons };
}

describe('guardrails (seeded simulation, 500 runs each)', () => {
  it('a truly regressing guardrail with an improving primary is flagged, never concluded', () => {
    // Primary +5 points of conversion; guardrail revenue -12% against a 5% margin.
    const { counts, reasons } = tally({ lift: 0.05, guardrailChange: -0.12 });
    expect(counts.conclude).toBe(0);
    expect(counts.flag_review).toBeGreaterThanOrEqual(0.99 * SIMULATIONS);
    expect(reasons.every((r) => r.startsWith('Guardrail breached: revenue v1'))).toBe(true);
  });

  it('the same primary with a healthy guardrail concludes for the treatment', () => {
    const { counts } = tally({ lift: 0.05, guardrailChange: 0 });
    expect(counts.conclude).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
    expect(counts.flag_review).toBeLessThanOrEqual(0.05 * SIMULATIONS);
  });

  it('without a guardrail the primary alone concludes (the guardrail is what stopped it)', () => {
    const { counts } = tally({ lift: 0.05, guardrailChange: -0.12, guardrail: false });
    expect(counts.conclude).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
  });

  it('logs every metric number: per variant n and value, effect, CI, p, guardrail status', () => {
    const evaluation = analyzeExperiment({
      experimentId: '00000000-0000-4000-8000-000000000019',
      evaluatedAt: '2026-11-29T00:00:00.000Z',
      variants: VARIANTS,
      assigned: { control: 4, treatment: 4 },
      factors: [],
      metrics: [
        {
          role: 'guardrail',
          metric: { name: 'revenue', version: 3, kind: 'sum', direction: 'higher' },
          statistics: [
            {
              variantKey: 'control',
              assigned: 4,
              n: 4,
              sumY: 40,
              sumY2: 420,
              sumD: 4,
              sumD2: 4,
              sumYD: 40,
            },
            {
              variantKey: 'treatment',
              assigned: 4,
              n: 4,
              sumY: 36,
              sumY2: 340,
              sumD: 4,
              sumD2: 4,
              sumYD: 36,
            },
          ],
          value: 0.05,
          scale: 'relative',
        },
      ],
    });
    const [guardrail] = evaluation.metrics ?? [];
    expect(guardrail).toMatchObject({
      role: 'guardrail',
      metric: 'revenue',
      version: 3,
      margin: { value: 0.05, scale: 'relative' },
      minimumEffect: null,
      variants: [
        { variantKey: 'control', n: 4, value: 10 },
        { variantKey: 'treatment', n: 4, value: 9 },
      ],
    });
    const [comparison] = guardrail?.comparisons ?? [];
    expect(comparison).toMatchObject({ effect: -1, method: 'difference', guardrail: 'undecided' });
    expect(comparison?.ci).toHaveLength(2);
    expect(comparison?.pValue).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(evaluation))).toEqual(evaluation);
  });
});
