import {
  analyzeExperiment,
  computeGovernanceVerdict,
  type GovernanceOptions,
  type GovernanceVerdict,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { type Accumulator, accumulator, addUser, createRng } from './random.js';

/*
 * Seeded simulations of a scheduled sweep over growing experiments, run on the pure analysis
 * and verdict functions over sufficient statistics (what a store returns), so 500 experiments
 * with 20 looks each take well under a second.
 *
 * Model per user: pre-period hesitation x ~ N(1000, 300²) (80% of users have one),
 * y = 1000 + 0.6 (x - 1000) + N(0, 240²) + effect in treatment. Lower is better.
 */
const SIMULATIONS = 500;
const USERS = 4000;
const LOOK_EVERY = 200; // 20 looks
const VARIANTS = [
  { key: 'control', weight: 50 },
  { key: 'treatment', weight: 50 },
];

interface Outcome {
  verdict: GovernanceVerdict;
  winner: string | null;
  look: number;
}

function simulate(
  seed: number,
  options: { effect: number; treatmentShare?: number; threshold: number },
  governance: GovernanceOptions = {},
): Outcome {
  const rng = createRng(seed);
  const arms: Record<string, Accumulator> = {
    control: accumulator('control'),
    treatment: accumulator('treatment'),
  };
  let flagged = false;
  for (let user = 1; user <= USERS; user += 1) {
    const key = rng.uniform() < (options.treatmentShare ?? 0.5) ? 'treatment' : 'control';
    const x = 1000 + 300 * rng.normal();
    const y =
      1000 + 0.6 * (x - 1000) + 240 * rng.normal() + (key === 'treatment' ? options.effect : 0);
    addUser(arms[key] as Accumulator, y, rng.uniform() < 0.8 ? x : null);
    if (user % LOOK_EVERY !== 0) continue;
    const evaluation = analyzeExperiment(
      {
        experimentId: '00000000-0000-4000-8000-00000000051a',
        evaluatedAt: new Date(Date.UTC(2026, 0, 1) + user * 60_000).toISOString(),
        variants: VARIANTS,
        assigned: { control: arms.control?.n ?? 0, treatment: arms.treatment?.n ?? 0 },
        factors: [
          {
            factor: 'hesitation_ms',
            path: 'shop/checkout/pay-form/submit',
            threshold: { id: 't', operator: 'lte', value: options.threshold, scale: 'absolute' },
            statistics: [arms.control as Accumulator, arms.treatment as Accumulator],
          },
        ],
      },
      governance,
    );
    const decision = computeGovernanceVerdict(evaluation);
    // A concluded experiment stops; a flagged one keeps running until a human acts.
    if (decision.verdict === 'conclude') return { ...decision, look: user / LOOK_EVERY };
    if (decision.verdict === 'flag_review') flagged = true;
  }
  return { verdict: flagged ? 'flag_review' : 'continue', winner: null, look: USERS / LOOK_EVERY };
}

function runMany(
  options: Parameters<typeof simulate>[1],
  governance: GovernanceOptions = {},
  seedBase = 1,
): Outcome[] {
  return Array.from({ length: SIMULATIONS }, (_, i) => simulate(seedBase + i, options, governance));
}

// Monte-Carlo margin: 3 standard deviations of a binomial(500, 0.05) count.
const NOMINAL = 0.05 * SIMULATIONS;
const MARGIN = 3 * Math.sqrt(SIMULATIONS * 0.05 * 0.95);

describe('governance simulation (seeded, 500 experiments x 20 sweeps)', () => {
  it('with no true effect, sequential sweeps conclude in at most 5% of experiments', () => {
    const outcomes = runMany({ effect: 0, threshold: 0 });
    const concluded = outcomes.filter((o) => o.verdict === 'conclude').length;
    expect(concluded).toBeLessThanOrEqual(NOMINAL + MARGIN);
    // The confidence sequence is conservative with 20 discrete looks: far below nominal.
    expect(concluded).toBeLessThanOrEqual(NOMINAL);
  });

  it('the fixed-horizon test looked at 20 times would conclude far more often (why sequential is the default)', () => {
    const sequential = runMany({ effect: 0, threshold: 0 }).filter(
      (o) => o.verdict === 'conclude',
    ).length;
    const fixed = runMany({ effect: 0, threshold: 0 }, { inference: 'fixed' }).filter(
      (o) => o.verdict === 'conclude',
    ).length;
    expect(fixed).toBeGreaterThan(NOMINAL / 2); // one-sided nominal rate of a single look
    expect(fixed).toBeGreaterThan(2 * sequential);
  });

  it('with a real effect, it concludes for the right variant in most experiments', () => {
    // Treatment cuts hesitation by 50 ms (0.2 standard deviations); threshold: at least 10 ms.
    const outcomes = runMany({ effect: -50, threshold: -10 }, {}, 10_001);
    const right = outcomes.filter((o) => o.verdict === 'conclude' && o.winner === 'treatment');
    const wrong = outcomes.filter((o) => o.verdict === 'conclude' && o.winner !== 'treatment');
    expect(right.length).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
    expect(wrong).toHaveLength(0);
  });

  it('with a real regression, it never concludes and flags for review', () => {
    const outcomes = runMany({ effect: 50, threshold: -10 }, {}, 20_001);
    expect(outcomes.filter((o) => o.verdict === 'conclude')).toHaveLength(0);
    expect(outcomes.filter((o) => o.verdict === 'flag_review').length).toBeGreaterThanOrEqual(
      0.9 * SIMULATIONS,
    );
  });

  it('a 45/55 split on a 50/50 configuration is flagged (sample ratio mismatch)', () => {
    const outcomes = runMany({ effect: 0, threshold: 0, treatmentShare: 0.55 }, {}, 30_001);
    const flagged = outcomes.filter((o) => o.verdict === 'flag_review').length;
    expect(flagged).toBeGreaterThanOrEqual(0.99 * SIMULATIONS);
    // And the verdict names the reason.
    const evaluation = analyzeExperiment({
      experimentId: '00000000-0000-4000-8000-00000000051b',
      evaluatedAt: '2026-01-01T00:00:00.000Z',
      variants: VARIANTS,
      assigned: { control: 900, treatment: 1100 },
      factors: [],
    });
    expect(evaluation.srm.flagged).toBe(true);
    const decision = computeGovernanceVerdict(evaluation);
    expect(decision.verdict).toBe('flag_review');
    expect(decision.reason).toMatch(/sample ratio mismatch/i);
  });
});
