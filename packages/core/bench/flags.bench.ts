/**
 * Local flag evaluation: FactoredUI's decision function (what the flag client runs on a cache
 * miss: status, platform, exclusion, targeting, coverage and variant buckets) against the
 * GrowthBook JS SDK's `GrowthBookClient.runInlineExperiment` on an equivalent 2-variant 50/50
 * experiment, over the same 1,000,000 distinct user ids, in the same process, alternating
 * rounds. Also the flag client's cached evaluation (one user, repeated renders), the heap each
 * evaluator retains after a million users, and the server pattern: per request, a new
 * GrowthBook vs `evaluateFlags`, a static client and a live flag client (created from the
 * request's state, one flag evaluated, destroyed), with the heap each live one holds.
 */

// The built package (what an app runs), as GrowthBook is: run from the sources, tsx's
// keep-names helper would wrap every closure a flag client creates and bill that to us.
import {
  type Assignment,
  createFlagClient,
  createStaticFlagClient,
  decideFlag,
  type Experiment,
  evaluateFlags,
  type FactoredStore,
} from '@factoredui/core';
import {
  GrowthBook,
  GrowthBookClient,
  type Experiment as GrowthBookExperiment,
} from '@growthbook/growthbook';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';

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

/** The same experiment with a factor rule and a version rule (issue #18's targeted case). */
const targeted: Experiment = {
  ...experiment,
  targeting: [
    { kind: 'factor', factor: 'error_rate', operator: 'lt', value: 0.5 },
    { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0.0' },
  ],
};
const targetedFactors = [
  {
    userId: 'any',
    path: experiment.path,
    factor: 'error_rate' as const,
    value: 0.1,
    asOf: '2026-01-01T00:00:00.000Z',
  },
];
const targetedMetadata = { app_version: '2.4.1' };

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

function targetedRound(): { opsPerSec: number; treated: number } {
  let treated = 0;
  const start = performance.now();
  for (let i = 0; i < USERS; i++) {
    const result = decideFlag(targeted, {
      userId: userIds[i] as string,
      factors: targetedFactors,
      metadata: targetedMetadata,
    });
    if (result.variantKey === 'treatment') treated++;
  }
  const ms = performance.now() - start;
  return { opsPerSec: (USERS / ms) * 1000, treated };
}

const REQUESTS = 200_000;
const experiments = [experiment];
const gbFeatures = {
  'checkout-button': {
    defaultValue: 'Continue',
    rules: [
      {
        key: 'checkout-button',
        variations: ['Continue', 'Pay now'],
        weights: [0.5, 0.5],
        coverage: 1,
      },
    ],
  },
};

/** The store a server keeps for every request (the static client never calls it). */
let requestStore: FactoredStore;

const PER_REQUEST_KINDS = ['growthbook', 'live client', 'static client', 'evaluateFlags'] as const;
type PerRequestKind = (typeof PER_REQUEST_KINDS)[number];

/** A server's task boundary: what a request handler's I/O gives the event loop. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One request: one user's state and one flag. `keep` retains what the request created. */
function serveRequest(kind: PerRequestKind, i: number, savedAt: string, keep?: unknown[]): boolean {
  const userId = userIds[i] as string;
  if (kind === 'growthbook') {
    const gb = new GrowthBook({ attributes: { id: userId }, features: gbFeatures });
    const treated = gb.getFeatureValue('checkout-button', 'Continue') === 'Pay now';
    if (keep) keep.push(gb);
    else gb.destroy();
    return treated;
  }
  const state = { v: 1 as const, userId, savedAt, experiments, assignments: [], factors: [] };
  if (kind === 'evaluateFlags')
    return (
      evaluateFlags(state, { flags: ['checkout-button'] })['checkout-button']?.variantKey ===
      'treatment'
    );
  if (kind === 'static client')
    return (
      createStaticFlagClient({ store: requestStore, bootstrap: state }).evaluate('checkout-button')
        .variantKey === 'treatment'
    );
  // The live client records the new user's assignment in the background.
  const client = createFlagClient({ store: requestStore, userId, bootstrap: state });
  const treated = client.evaluate('checkout-button').variantKey === 'treatment';
  if (keep) keep.push(client);
  else client.destroy();
  return treated;
}

/**
 * The server pattern: per request, one user's state and one flag; every 100 requests the event
 * loop turns (as it does between a server's requests), so background writes settle. Returns
 * requests/s.
 */
async function perRequestRound(kind: PerRequestKind): Promise<number> {
  let treated = 0;
  const savedAt = new Date().toISOString();
  const start = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    if (serveRequest(kind, i, savedAt)) treated++;
    if (i % 100 === 99) await yieldToEventLoop();
  }
  const ms = performance.now() - start;
  if (treated < REQUESTS * 0.45 || treated > REQUESTS * 0.55) throw new Error('split drifted');
  return (REQUESTS / ms) * 1000;
}

/** Heap per request object alive at once (100,000 kept), in bytes. */
async function heapPerRequest(kind: 'growthbook' | 'live client'): Promise<number> {
  const n = 100_000;
  const keep: unknown[] = [];
  const savedAt = new Date().toISOString();
  await yieldToEventLoop();
  const before = heapMb();
  for (let i = 0; i < n; i++) serveRequest(kind, i, savedAt, keep);
  await yieldToEventLoop();
  const bytes = ((heapMb() - before) * 1024 * 1024) / n;
  for (const object of keep) (object as { destroy(): void }).destroy();
  return Math.max(0, bytes);
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
      if (name === 'getHoldout') return async () => null;
      if (name === 'recordAssignment') return async (a: unknown) => a;
      return refuse;
    },
  });
}

/** A plain store for per-request live clients: they write each new user's assignment. */
function requestStoreOf(): FactoredStore {
  const methods = {
    getIdentity: async () => ({ role: 'service' as const, userId: null }),
    listExperiments: async () => experiments,
    listAssignments: async () => [],
    getFactors: async () => [],
    recordAssignment: async (assignment: Assignment) => assignment,
    recordExposure: async () => ({ recorded: true }),
  };
  return methods as unknown as FactoredStore;
}

const suite: BenchSuite = {
  title: 'Flag evaluation',
  ratios: [
    {
      label: 'FactoredUI local evaluation vs GrowthBook runInlineExperiment (ops/s)',
      numerator: 'FactoredUI: evaluate a 2-variant flag (1M distinct users)',
      denominator: 'GrowthBook: runInlineExperiment, 2 variants (1M distinct users)',
    },
    {
      label: 'targeted vs untargeted decideFlag (ops/s; 1 = no cost, goal >= 0.67)',
      numerator: 'FactoredUI: evaluate a targeted flag, factor + version rule (1M distinct users)',
      denominator: 'FactoredUI: evaluate a 2-variant flag (1M distinct users)',
    },
    {
      label: 'evaluateFlags vs a new GrowthBook per request (requests/s)',
      numerator: 'FactoredUI: evaluateFlags per request, one flag',
      denominator: 'GrowthBook: new GrowthBook per request, one flag',
    },
    {
      label: 'live flag client vs a new GrowthBook per request (requests/s; goal >= 1)',
      numerator: 'FactoredUI: createFlagClient per request, one flag',
      denominator: 'GrowthBook: new GrowthBook per request, one flag',
    },
    {
      label: 'static flag client vs a new GrowthBook per request (requests/s)',
      numerator: 'FactoredUI: createStaticFlagClient per request, one flag',
      denominator: 'GrowthBook: new GrowthBook per request, one flag',
    },
  ],
  async run(): Promise<BenchRecord[]> {
    const gb = new GrowthBookClient();
    await gb.init({ payload: { features: {} } });
    // Warm both up so the JIT has settled before measuring.
    factoredRound();
    growthbookRound(gb);

    targetedRound();
    const factored: number[] = [];
    const targetedOps: number[] = [];
    const growthbook: number[] = [];
    let factoredShare = 0;
    let growthbookShare = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const f = factoredRound();
      targetedOps.push(targetedRound().opsPerSec);
      const g = growthbookRound(gb);
      factored.push(f.opsPerSec);
      growthbook.push(g.opsPerSec);
      factoredShare = f.treated / USERS;
      growthbookShare = g.treated / USERS;
    }

    // The server pattern, alternating: a new GrowthBook vs our per-request evaluation.
    requestStore = requestStoreOf();
    for (const kind of PER_REQUEST_KINDS) await perRequestRound(kind);
    const perRequest = new Map<string, number[]>(PER_REQUEST_KINDS.map((kind) => [kind, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const kind of PER_REQUEST_KINDS) perRequest.get(kind)?.push(await perRequestRound(kind));
    const requestNotes = `median of ${ROUNDS} rounds of ${REQUESTS.toLocaleString('en-US')} requests (distinct users), one flag each, the event loop turning every 100, rounds alternating`;
    const liveClientBytes = await heapPerRequest('live client');
    const growthbookBytes = await heapPerRequest('growthbook');

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
        name: 'FactoredUI: evaluate a targeted flag, factor + version rule (1M distinct users)',
        value: median(targetedOps),
        unit: 'ops/s',
        better: 'higher',
        notes: `decideFlag with { error_rate lt 0.5 } and { app_version gte 2.0.0 }, ${runs}`,
      },
      {
        name: 'GrowthBook: new GrowthBook per request, one flag',
        value: median(perRequest.get('growthbook') ?? []),
        unit: 'requests/s',
        better: 'higher',
        notes: `new GrowthBook({ attributes, features }) + getFeatureValue + destroy; ${requestNotes}`,
      },
      {
        name: 'FactoredUI: createFlagClient per request, one flag',
        value: median(perRequest.get('live client') ?? []),
        unit: 'requests/s',
        better: 'higher',
        notes: `createFlagClient({ store, userId, bootstrap }) + evaluate + destroy, the new user's assignment written in the background; ${requestNotes}`,
      },
      {
        name: 'FactoredUI: heap per live flag client (bootstrapped, one flag evaluated)',
        value: liveClientBytes,
        unit: 'B',
        better: 'lower',
        notes: '100,000 clients alive at once, heap delta after gc() / 100,000',
      },
      {
        name: 'GrowthBook: heap per GrowthBook instance (one flag evaluated)',
        value: growthbookBytes,
        unit: 'B',
        better: 'lower',
        notes: '100,000 instances alive at once, heap delta after gc() / 100,000',
      },
      {
        name: 'FactoredUI: createStaticFlagClient per request, one flag',
        value: median(perRequest.get('static client') ?? []),
        unit: 'requests/s',
        better: 'higher',
        notes: `what @factoredui/react renders with on the server; ${requestNotes}`,
      },
      {
        name: 'FactoredUI: evaluateFlags per request, one flag',
        value: median(perRequest.get('evaluateFlags') ?? []),
        unit: 'requests/s',
        better: 'higher',
        notes: `stateless, definitions array shared across requests; ${requestNotes}`,
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
