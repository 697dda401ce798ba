import {
  type CaptureHandle,
  createFlagClient,
  createRandomId,
  createSeededRandom,
  type EventPayload,
  type FactoredStore,
  type GovernanceSweepResult,
  initCapture,
  runGovernanceSweep,
} from '@factoredui/core';
import { PRODUCTS } from '../shop/catalog-data.js';
import { EXPERIMENT_NAME, GOVERNANCE_OPTIONS, PATHS } from './config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Options of {@link simulateTraffic}. */
export interface SimulationOptions {
  /** Synthetic visitors to generate. Default 200. */
  users?: number;
  /** A store acting as the given user (a user-scoped memory store over the demo database). */
  storeFor: (userId: string) => FactoredStore;
  /** The service-role store: factor refresh, snapshots, governance. */
  service: FactoredStore;
  /** Seed of the behavior model (same seed, same behavior). Default: random. */
  seed?: number;
  /** Visitors simulated concurrently. Default 10. */
  concurrency?: number;
  /** Wall clock. Default `Date.now`. */
  now?: () => number;
  /** Progress, after every visitor and at each phase. */
  onProgress?: (progress: SimulationProgress) => void;
  /**
   * Awaited after every visitor, to let other work run (the demo's worker answers the page's
   * reads there). Default: nothing.
   */
  pause?: () => Promise<void>;
  /** Awaited after the governance sweep, in the `saving` phase (persist the data). */
  save?: () => Promise<void>;
}

/** Where a simulation is. */
export interface SimulationProgress {
  phase: 'visitors' | 'factors' | 'governance' | 'saving' | 'done';
  done: number;
  total: number;
}

/** What a simulation did. */
export interface SimulationResult {
  users: number;
  events: number;
  /** Users assigned per variant by this run. */
  assigned: Record<string, number>;
  /** Completed orders per variant in the post period. */
  completed: Record<string, number>;
  factorValues: number;
  sweep: GovernanceSweepResult;
}

/** How one variant of the checkout button behaves for a user of a given clumsiness (0..1). */
interface Behavior {
  error: (clumsy: number) => number;
  rage: (clumsy: number) => number;
  complete: (clumsy: number) => number;
  hesitationMs: (clumsy: number, r: number) => number;
}

/**
 * The behavior model. The standard button sits under a form that users fill in and validate by
 * hand; the express button pays with the saved wallet, so validation errors, rage clicks and
 * hesitation are rarer and more users complete. Clumsy users suffer more in both.
 */
const BEHAVIOR: Record<'control' | 'express', Behavior> = {
  control: {
    error: (c) => 0.15 + 0.35 * c,
    rage: (c) => 0.2 + 0.5 * c,
    complete: (c) => 0.72 - 0.45 * c,
    hesitationMs: (c, r) => 1500 + 4000 * c + 2500 * r,
  },
  express: {
    error: (c) => 0.02 + 0.06 * c,
    rage: (c) => 0.02 + 0.1 * c,
    complete: (c) => 0.93 - 0.15 * c,
    hesitationMs: (c, r) => 500 + 1200 * c + 900 * r,
  },
};

interface Visit {
  capture: CaptureHandle;
  clock: { t: number };
  random: () => number;
}

const structural = (depth: number, siblings: number, fields = 0): EventPayload => ({
  component_depth: depth,
  sibling_count: siblings,
  form_field_count: fields,
});

/** A UUID v4 drawn from `random`, so a seeded run has the same visitors (and buckets). */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Advances simulated time by `min..max` ms. */
function wait(visit: Visit, min: number, max: number): void {
  visit.clock.t += Math.round(min + (max - min) * visit.random());
}

/**
 * One session: catalog -> product -> checkout, with the behavior of `variant` at the submit
 * button. `flag` runs when the checkout renders (assignment + exposure in the post period).
 * Returns whether the order completed, or null when the visitor left before checkout.
 */
async function visit(
  v: Visit,
  variant: 'control' | 'express',
  clumsy: number,
  flag: (() => Promise<'control' | 'express' | null>) | null,
): Promise<boolean | null> {
  const { capture, random } = v;
  capture.trackNavigation(PATHS.catalog);
  capture.trackImpression(PATHS.catalog, structural(6, 1));
  capture.trackImpression(PATHS.catalogPromo, structural(5, 2));
  capture.trackImpression(PATHS.catalogGrid, structural(4, 2));
  const scrolls = 1 + Math.floor(random() * 4);
  for (let i = 0; i < scrolls; i++) {
    wait(v, 400, 2500);
    capture.track('scroll', PATHS.catalog, { y: 300 * (i + 1) });
    if (random() < 0.1 + 0.2 * clumsy) capture.track('scroll_reversal', PATHS.catalog);
  }
  wait(v, 800, 4000);
  const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)];
  capture.track('click', PATHS.productCard, { product: product?.id ?? 'unknown' });
  if (random() < 0.1) return null;

  capture.trackNavigation(PATHS.product);
  capture.trackImpression(PATHS.product, structural(5, 1));
  capture.trackImpression(PATHS.productDetails, structural(4, 2));
  wait(v, 1500, 9000);
  capture.track('click', PATHS.addToCart);
  if (random() < 0.12) return null;

  capture.trackNavigation(PATHS.checkout);
  capture.trackImpression(PATHS.checkout, structural(6, 1));
  capture.trackImpression(PATHS.shippingForm, structural(4, 2, 3));
  let shown = variant;
  if (flag) shown = (await flag()) ?? 'control';
  const behavior = BEHAVIOR[shown];
  capture.trackImpression(PATHS.placeOrder, structural(2, 2));
  capture.trackImpression(PATHS.submit, structural(1, 1));
  if (shown === 'control') {
    for (const field of ['name', 'email', 'card']) {
      const path = `${PATHS.shippingForm}/${field}`;
      capture.track('focus', path, { tag: 'input' });
      wait(v, 1200, 6000);
      capture.track('input', path, { tag: 'input' });
      capture.track('blur', path, { tag: 'input' });
    }
  }
  wait(v, 0, behavior.hesitationMs(clumsy, random()));
  capture.track('click', PATHS.submit);
  if (random() < behavior.error(clumsy)) {
    capture.track('error', PATHS.submit, {
      kind: 'validation',
      message: 'Card number is incomplete',
    });
    wait(v, 300, 900);
  }
  if (random() < behavior.rage(clumsy)) {
    const clicks = 3 + Math.floor(random() * 3);
    for (let i = 1; i < clicks; i++) {
      wait(v, 120, 350);
      capture.track('click', PATHS.submit);
    }
    capture.track('rage_click', PATHS.submit, { clicks });
  }
  if (random() >= behavior.complete(clumsy)) {
    wait(v, 2000, 8000);
    capture.track('visibility', PATHS.checkout, { state: 'hidden' });
    return false;
  }
  wait(v, 600, 1800);
  capture.track('submit', PATHS.shippingForm);
  // A custom event with a numeric property: what the conversion and order-value metrics read.
  capture.track(
    'purchase',
    { revenue: (product?.priceCents ?? 0) / 100 },
    { path: PATHS.placeOrder },
  );
  capture.track('navigation', PATHS.placeOrder, { action: 'complete' });
  capture.trackNavigation(PATHS.success);
  capture.trackImpression(PATHS.success, structural(3, 1));
  return true;
}

/**
 * Generates `users` synthetic visitors through the real capture pipeline (`initCapture` per
 * visitor with a simulated clock, writing to a store scoped to that visitor), then refreshes
 * factors, takes a pre- and a post-assignment snapshot, and runs a governance sweep.
 *
 * Timeline, relative to now: returning visitors (70%) shop once between 48 h and 24 h ago,
 * before the experiment enrolled them (the standard button); every visitor shops again in the
 * last 24 h, when the checkout evaluates the flag (assignment and exposure at that simulated
 * time). Snapshots over a one-day window at -24 h (pre: the CUPED covariate `x`) and at the
 * start of the run (post: the outcome `y`) give governance both sides of every assignment.
 */
/**
 * The visitor's store, except that assignments go through the service role: a user store
 * decides the time of an assignment itself (its clock, DESIGN §15), while a simulated visit
 * happens in the past. The simulator is an admin tool back-filling synthetic history, which is
 * what the service role may do; the variant is still the rule's (the flag client's prediction).
 */
function backfilling(store: FactoredStore, service: FactoredStore): FactoredStore {
  return Object.assign(Object.create(store) as FactoredStore, {
    recordAssignment: (request: Parameters<FactoredStore['recordAssignment']>[0]) =>
      service.recordAssignment(request),
  });
}

export async function simulateTraffic(options: SimulationOptions): Promise<SimulationResult> {
  const {
    users = 200,
    storeFor,
    service,
    concurrency = 10,
    now = Date.now,
    onProgress = () => {},
    pause = async () => {},
  } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const base = now();
  const preEnd = base - DAY;
  const assigned: Record<string, number> = {};
  const completed: Record<string, number> = {};
  let events = 0;
  let done = 0;
  onProgress({ phase: 'visitors', done, total: users });

  const simulateOne = async (visitor: number) => {
    // Each visitor draws from a stream of its own: with visitors running concurrently, one
    // shared stream would hand out numbers in whatever order their awaits happen to settle, so
    // the same seed would give different traffic whenever a library adds or removes a tick.
    const random = createSeededRandom((seed + Math.imul(visitor + 1, 0x9e3779b1)) >>> 0);
    const userId = options.seed === undefined ? createRandomId() : seededUuid(random);
    const store = storeFor(userId);
    const clumsy = random() ** 1.5;
    const clock = { t: preEnd - DAY + HOUR + Math.floor(random() * (DAY - 2 * HOUR)) };
    const capture = initCapture({
      store,
      userId,
      adapter: null,
      storage: null,
      platform: 'web',
      appVersion: '1.4.0',
      metadata: {
        viewport: random() < 0.55 ? { width: 390, height: 844 } : { width: 1440, height: 900 },
      },
      now: () => clock.t,
      flushIntervalMs: 3_600_000,
      batchSize: 200,
    });
    const v: Visit = { capture, clock, random };
    try {
      await capture.ready;
      if (random() < 0.7) await visit(v, 'control', clumsy, null);
      clock.t = preEnd + HOUR + Math.floor(random() * (DAY - 2 * HOUR));
      const flags = createFlagClient({
        store: backfilling(store, service),
        userId,
        platform: 'web',
        ttlMs: 0,
        now: () => clock.t,
        sessionId: () => capture.getSessionId(),
      });
      try {
        let variantShown: string | null = null;
        const outcome = await visit(v, 'control', clumsy, async () => {
          await flags.ready();
          const evaluation = flags.evaluate(EXPERIMENT_NAME);
          await flags.recordExposure(evaluation);
          variantShown = evaluation.variantKey;
          if (variantShown && evaluation.inExperiment)
            assigned[variantShown] = (assigned[variantShown] ?? 0) + 1;
          return variantShown === 'express' ? 'express' : variantShown === null ? null : 'control';
        });
        if (outcome && variantShown) completed[variantShown] = (completed[variantShown] ?? 0) + 1;
      } finally {
        flags.destroy();
      }
      const result = await capture.stopCapture();
      if (!result.ok)
        throw result.error ?? new Error(`${result.remaining} events were not written`);
      events += result.written;
    } finally {
      await capture.stopCapture();
    }
    done += 1;
    onProgress({ phase: 'visitors', done, total: users });
  };

  let next = 0;
  const worker = async () => {
    while (next < users) {
      const visitor = next;
      next += 1;
      await simulateOne(visitor);
      await pause();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, users) }, worker));

  onProgress({ phase: 'factors', done, total: users });
  const refreshed = await service.recomputeFactors({ asOf: new Date(now()).toISOString() });
  await service.snapshotFactors({ asOf: new Date(preEnd).toISOString(), windowMs: DAY });
  await service.snapshotFactors({ asOf: new Date(base).toISOString(), windowMs: DAY });

  onProgress({ phase: 'governance', done, total: users });
  const sweep = await runGovernanceSweep(service, { ...GOVERNANCE_OPTIONS, at: now() });
  if (options.save) {
    onProgress({ phase: 'saving', done, total: users });
    await options.save();
  }
  onProgress({ phase: 'done', done, total: users });
  return { users, events, assigned, completed, factorValues: refreshed.values, sweep };
}
