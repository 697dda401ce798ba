/**
 * Governance: the cost of one evaluation over sufficient statistics (what a sweep pays per
 * experiment once the store has aggregated), of the underlying tests, and of the 500-experiment
 * sweep simulation of the test suite.
 */
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import {
  analyzeExperiment,
  computeGovernanceVerdict,
  normalMixtureConfidenceSequence,
  type VariantSufficientStatistics,
  welchTest,
} from '../src/governance/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `fn` `iterations` times per round, 7 rounds; returns the median ops/s. */
function opsPerSecond(
  iterations: number,
  fn: (i: number) => unknown,
): { value: number; notes: string } {
  const rates: number[] = [];
  let sink = 0;
  for (let round = 0; round < 7; round += 1) {
    const start = performance.now();
    for (let i = 0; i < iterations; i += 1) if (fn(i)) sink += 1;
    rates.push(iterations / ((performance.now() - start) / 1000));
  }
  return {
    value: median(rates),
    notes: `median of 7 rounds x ${iterations} (min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}; ${sink > 0 ? 'ok' : 'n/a'})`,
  };
}

function arm(
  variantKey: string,
  n: number,
  mean: number,
  shift: number,
): VariantSufficientStatistics {
  const sd = 300;
  const sumY2 = (n - 1) * sd * sd + n * mean * mean;
  return {
    variantKey,
    assigned: n + 40,
    n,
    sumY: n * mean,
    sumY2,
    nX: Math.floor(n * 0.8),
    sumX: Math.floor(n * 0.8) * (mean - shift),
    sumX2: Math.floor(n * 0.8) * ((mean - shift) ** 2 + sd * sd),
    sumXY: Math.floor(n * 0.8) * ((mean - shift) * mean + 0.6 * sd * sd),
    sumYWithX: Math.floor(n * 0.8) * mean,
  };
}

function evaluationInput(i: number) {
  const factors = (['hesitation_ms', 'error_rate', 'rage_click_count'] as const).map((factor) => ({
    factor,
    path: 'shop/checkout/pay-form/submit',
    threshold: { id: factor, operator: 'lte' as const, value: -1 },
    statistics: [arm('control', 5000, 1000, 0), arm('treatment', 5000 + (i % 7), 990, 0)],
  }));
  return {
    experimentId: '00000000-0000-4000-8000-0000000be5c0',
    evaluatedAt: '2026-01-01T00:00:00.000Z',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    assigned: { control: 5040, treatment: 5040 + (i % 7) },
    factors,
  };
}

/** The simulation of test/governance/simulation.test.ts: 500 experiments x 20 looks. */
function simulate(): number {
  let state = 1;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  let concluded = 0;
  for (let s = 0; s < 500; s += 1) {
    const arms = [arm('control', 0, 0, 0), arm('treatment', 0, 0, 0)].map((a) => ({
      ...a,
      assigned: 0,
      nX: 0,
      sumX: 0,
      sumX2: 0,
      sumXY: 0,
      sumYWithX: 0,
      sumY2: 0,
    }));
    for (let user = 1; user <= 4000; user += 1) {
      const a = arms[uniform() < 0.5 ? 0 : 1] as VariantSufficientStatistics;
      const x = 1000 + 300 * normal();
      const y = 1000 + 0.6 * (x - 1000) + 240 * normal();
      a.assigned += 1;
      a.n += 1;
      a.sumY += y;
      a.sumY2 += y * y;
      a.nX += 1;
      a.sumX += x;
      a.sumX2 += x * x;
      a.sumXY += x * y;
      a.sumYWithX += y;
      if (user % 200 !== 0) continue;
      const decision = computeGovernanceVerdict(
        analyzeExperiment({
          ...evaluationInput(0),
          assigned: { control: arms[0]?.n ?? 0, treatment: arms[1]?.n ?? 0 },
          factors: [
            {
              factor: 'hesitation_ms',
              path: 'a/b/c/d',
              threshold: { id: 't', operator: 'lte', value: 0 },
              statistics: arms,
            },
          ],
        }),
      );
      if (decision.verdict === 'conclude') {
        concluded += 1;
        break;
      }
    }
  }
  return concluded;
}

const suite: BenchSuite = {
  title: 'Governance',
  async run() {
    const records: BenchRecord[] = [];
    const evaluate = opsPerSecond(20_000, (i) =>
      computeGovernanceVerdict(analyzeExperiment(evaluationInput(i))),
    );
    records.push({
      name: 'evaluate + verdict (2 variants x 3 factors)',
      value: evaluate.value,
      unit: 'ops/s',
      better: 'higher',
      notes: evaluate.notes,
    });
    const welch = opsPerSecond(200_000, (i) =>
      welchTest(
        { n: 5000 + (i % 3), mean: 1.05, variance: 1 },
        { n: 5000, mean: 1, variance: 1.1 },
      ),
    );
    records.push({
      name: 'Welch t-test (from summaries)',
      value: welch.value,
      unit: 'ops/s',
      better: 'higher',
      notes: welch.notes,
    });
    const cs = opsPerSecond(500_000, (i) =>
      normalMixtureConfidenceSequence({
        estimate: 0.01 * (i % 5),
        variance: 0.0004,
        sampleSize: 10_000,
        targetSampleSize: 2000,
      }),
    );
    records.push({
      name: 'normal-mixture confidence sequence',
      value: cs.value,
      unit: 'ops/s',
      better: 'higher',
      notes: cs.notes,
    });
    const times: number[] = [];
    let concluded = 0;
    for (let r = 0; r < 3; r += 1) {
      const start = performance.now();
      concluded = simulate();
      times.push(performance.now() - start);
    }
    records.push({
      name: 'sweep simulation (500 experiments x 4000 users x 20 looks)',
      value: median(times),
      unit: 'ms',
      better: 'lower',
      notes: `median of 3; ${concluded}/500 false conclusions under the null`,
    });
    return records;
  },
};

export default suite;
