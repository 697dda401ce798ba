/**
 * Local flag evaluation: FactoredUI's decision function (what the flag client runs on a cache
 * miss: status, platform, exclusion, targeting, coverage and variant buckets) against the
 * GrowthBook JS SDK's `GrowthBookClient.runInlineExperiment` on an equivalent 2-variant 50/50
 * experiment, over the same 1,000,000 distinct user ids, in the same process, alternating
 * rounds. Also the flag client's cached evaluation (one user, repeated renders) and the heap
 * each evaluator retains after a million users.
 */
import { GrowthBookClient, type Experiment as GrowthBookExperiment } from '@growthbook/growthbook';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import { createFlagClient } from '../src/experiments/client.js';
import { decideFlag } from '../src/experiments/decide.js';
import type { Experiment } from '../src/experiments/types.js';
import type { FactoredStore } from '../src/store/contract.js';

const USERS = 1_000_000;
const ROUNDS = 5;

const experiment: Experiment = {
  id: '6f1c1d7e-2f4b-4c55-9a55-3f2b8f3f0a01',
  name: 'checkout-button',
  description: '',
  path: 'checkout/review/payment-form/submit',
  variants: [
    { key: 'control', weight: 50, config: { label: 'Continue' } },
    { key: 'treatment', weight: 50, config: { label: 'Pay now' } },
  ],
  coverage: 1,
  targeting: [],
  platforms: [],
  seed: 'checkout-button',
  status: 'running',
  winner: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: null,
};

const gbExperiment: GrowthBookExperiment<{ label: string }> = {
  key: 'checkout-button',
  variations: [{ label: 'Continue' }, { label: 'Pay now' }],
  weights: [0.5, 0.5],
  coverage: 1,
};

const userIds: string[] = Array.from(
  { length: USERS },
  (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

function factoredRound(): { opsPerSec: number; treated: number } {
  let treated = 0;
  const start = performance.now();
  for (let i = 0; i < USERS; i++) {
    const result = decideFlag(experiment, { userId: userIds[i] as string });
    if (result.variantKey === 'treatment') treated++;
  }
  const ms = performance.now() - start;
  return { opsPerSec: (USERS / ms) * 1000, treated };
}

function growthbookRound(gb: GrowthBookClient): { opsPerSec: number; treated: number } {
  let treated = 0;
  const start = performance.now();
  for (let i = 0; i < USERS; i++) {
    const result = gb.runInlineExperiment(gbExperiment, { attributes: { id: userIds[i] } });
    if (result.variationId === 1) treated++;
  }
  const ms = performance.now() - start;
  return { opsPerSec: (USERS / ms) * 1000, treated };
}

/** A read-only store holding the one running experiment, for the flag client. */
function benchStore(): FactoredStore {
  const refuse = async (): Promise<never> => {
    throw new Error('not used by this benchmark');
  };
  return new Proxy({} as FactoredStore, {
    get(_, name) {
      if (name === 'subscribe') return undefined;
      if (name === 'getIdentity') return async () => ({ role: 'user', userId: 'bench-user' });
      if (name === 'listExperiments') return async () => [experiment];
      if (name === 'listAssignments') return async () => [];
      if (name === 'recordAssignment') return async (a: unknown) => a;
      return refuse;
    },
  });
}

const suite: BenchSuite = {
  title: 'Flag evaluation',
  ratios: [
    {
      label: 'FactoredUI local evaluation vs GrowthBook runInlineExperiment (ops/s)',
      numerator: 'FactoredUI: evaluate a 2-variant flag (1M distinct users)',
      denominator: 'GrowthBook: runInlineExperiment, 2 variants (1M distinct users)',
    },
  ],
  async run(): Promise<BenchRecord[]> {
    const gb = new GrowthBookClient();
    await gb.init({ payload: { features: {} } });
    // Warm both up so the JIT has settled before measuring.
    factoredRound();
    growthbookRound(gb);

    const factored: number[] = [];
    const growthbook: number[] = [];
    let factoredShare = 0;
    let growthbookShare = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const f = factoredRound();
      const g = growthbookRound(gb);
      factored.push(f.opsPerSec);
      growthbook.push(g.opsPerSec);
      factoredShare = f.treated / USERS;
      growthbookShare = g.treated / USERS;
    }

    // Heap retained after a million distinct users: FactoredUI keeps no per-user state.
    const baseline = heapMb();
    factoredRound();
    const factoredRetained = Math.max(0, heapMb() - baseline);
    const gbFresh = new GrowthBookClient();
    await gbFresh.init({ payload: { features: {} } });
    const gbBaseline = heapMb();
    growthbookRound(gbFresh);
    const growthbookRetained = Math.max(0, heapMb() - gbBaseline);

    // The flag client's synchronous evaluation after the first load (memoized per flag).
    const client = createFlagClient({ store: benchStore(), ttlMs: 0 });
    await client.ready();
    const cached: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const n = 5_000_000;
      const start = performance.now();
      let seen = 0;
      for (let i = 0; i < n; i++) if (client.evaluate('checkout-button').inExperiment) seen++;
      const ms = performance.now() - start;
      if (seen !== n) throw new Error('the flag client lost the assignment');
      cached.push((n / ms) * 1000);
    }
    client.destroy();

    const runs = `median of ${ROUNDS} rounds of ${USERS.toLocaleString('en-US')} users`;
    return [
      {
        name: 'FactoredUI: evaluate a 2-variant flag (1M distinct users)',
        value: median(factored),
        unit: 'ops/s',
        better: 'higher',
        notes: `decideFlag, ${runs}; treatment share ${(factoredShare * 100).toFixed(2)}%`,
      },
      {
        name: 'GrowthBook: runInlineExperiment, 2 variants (1M distinct users)',
        value: median(growthbook),
        unit: 'ops/s',
        better: 'higher',
        notes: `@growthbook/growthbook GrowthBookClient, ${runs}; treatment share ${(growthbookShare * 100).toFixed(2)}%`,
      },
      {
        name: 'FactoredUI: flag client evaluate (cached, one user)',
        value: median(cached),
        unit: 'ops/s',
        better: 'higher',
        notes: `median of ${ROUNDS} rounds of 5M evaluations (what a re-render costs)`,
      },
      {
        name: 'FactoredUI: heap retained after 1M users',
        value: factoredRetained,
        unit: 'MB',
        better: 'lower',
      },
      {
        name: 'GrowthBook: heap retained after 1M users',
        value: growthbookRetained,
        unit: 'MB',
        better: 'lower',
        notes: 'one shared GrowthBookClient',
      },
    ];
  },
};

export default suite;
