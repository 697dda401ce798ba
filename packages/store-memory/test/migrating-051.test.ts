import {
  createEd25519Signer,
  createEventWriter,
  createExperiment,
  createMemoryKVStorage,
  createSessionManager,
  createSpecStorage,
  dispatchAction,
  evaluateFlag,
  type FactoredError,
  generateEd25519Keypair,
  getSharedFlagClient,
  initCapture,
  isFactoredError,
  kMeans,
  loadSpec,
  logGovernanceVerdict,
  queryExperimentResults,
  queryExperimentSummaries,
  queryFactorDelta,
  queryFactorHistory,
  resolveAllSources,
  runGovernanceCheck,
  startExperiment,
  validateSpec,
} from '@factoredui/core';
import { createMemoryStore, type MemoryStore } from '@factoredui/store-memory';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

// The executable half of MIGRATING.md: every FactoredUI 0.5.1 usage pattern of the issue
// (#21), in its 0.5.1 form, either works (an overload, a mapped option, a deprecated alias that
// warns once) or throws FactoredError `legacy_call` naming the current form; and the current
// form works. Each `it` is one pattern.

const USER = 'u-1';

async function caught(run: () => unknown): Promise<FactoredError> {
  try {
    await run();
  } catch (error) {
    if (isFactoredError(error)) return error;
    throw error;
  }
  throw new Error('expected a FactoredError, nothing was thrown');
}

/** Asserts a `legacy_call` error that names the current form. */
async function expectLegacyCall(run: () => unknown, newForm: string): Promise<void> {
  const error = await caught(run);
  expect(error.code).toBe('legacy_call');
  expect(error.message).toContain(newForm);
}

let warn: MockInstance<typeof console.warn>;
let service: MemoryStore;
let user: MemoryStore;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  service = createMemoryStore({ role: 'service' });
  user = createMemoryStore({ database: service.database, userId: USER });
});
afterEach(() => {
  getSharedFlagClient(user).destroy();
  warn.mockRestore();
});

/** A 0.5.1-style experiment definition (snake_case names), created and started. */
async function runningExperiment(name = 'cta'): Promise<string> {
  const created = await createExperiment(service, {
    name,
    component_path: 'Checkout/Pay',
    variants: [
      { variant_key: 'control', traffic_percentage: 50, config: { label: 'Pay' } },
      { variant_key: 'bold', traffic_percentage: 50, config: { label: 'Pay now' } },
    ],
  } as never);
  await startExperiment(service, created.id);
  return created.id;
}

/** The deprecation warnings printed so far. */
const warnings = () => warn.mock.calls.map((c) => String(c[0]));

describe('FactoredUI 0.5.1 usage patterns (MIGRATING.md, checked)', () => {
  it('1. createExperiment with a 0.5.1 definition: mapped, and the result reads .component_path', async () => {
    const created = await createExperiment(service, {
      name: 'legacy-def',
      component_path: 'Home/Hero',
      targeting_rules: [{ factor: 'error_rate', operator: 'lt', threshold: 0.5 }],
      variants: [
        { variant_key: 'control', traffic_percentage: 50, config: {} },
        { variant_key: 'b', traffic_percentage: 50, config: {} },
      ],
    } as never);
    expect(created).toMatchObject({
      path: 'Home/Hero',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'b', weight: 50 },
      ],
      targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'lt', value: 0.5 }],
    });
    expect((created as unknown as { component_path: string }).component_path).toBe('Home/Hero');
    // New form.
    const modern = await createExperiment(service, {
      name: 'modern',
      path: 'Home/Hero',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'b', weight: 50 },
      ],
    });
    expect(modern.path).toBe('Home/Hero');
  });

  it('2. evaluateFlag(...).variant_key and .experiment_id: deprecated aliases that warn once, invisible to JSON', async () => {
    const id = await runningExperiment();
    const flag = await evaluateFlag(user, 'cta');
    expect(flag).not.toBeNull();
    const legacy = flag as unknown as { variant_key: string; experiment_id: string };
    expect(legacy.variant_key).toBe(flag?.variantKey);
    expect(legacy.variant_key).toBe(flag?.variantKey);
    expect(legacy.experiment_id).toBe(id);
    expect(warnings().filter((w) => w.includes('.variant_key'))).toHaveLength(1);
    expect(Object.keys(flag ?? {})).not.toContain('variant_key');
    expect(JSON.parse(JSON.stringify(flag))).not.toHaveProperty('variant_key');
  });

  it('3. summary rows (assigned_users, winning_variant) and the snake_case filter component_path', async () => {
    await runningExperiment('cta');
    await createExperiment(service, {
      name: 'elsewhere',
      path: 'Cart/Summary',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'b', weight: 50 },
      ],
    });
    await evaluateFlag(user, 'cta');
    const rows = await queryExperimentSummaries(service, {
      component_path: 'Checkout/Pay',
    } as never);
    expect(new Set(rows.map((r) => r.path))).toEqual(new Set(['Checkout/Pay']));
    const legacy = rows as unknown as {
      assigned_users: number;
      winning_variant: null;
      variant_key: string;
    }[];
    expect(legacy.reduce((n, r) => n + r.assigned_users, 0)).toBe(1);
    expect(legacy[0]?.winning_variant).toBeNull();
    expect(warnings().some((w) => w.includes('component_path filter'))).toBe(true);
    // New form.
    expect(
      (await queryExperimentSummaries(service, { path: 'Cart/Summary' })).map((r) => r.path),
    ).toEqual(['Cart/Summary', 'Cart/Summary']);
  });

  it('4. queryExperimentResults(store, id, [factors]): an overload of { factors }', async () => {
    const id = await runningExperiment();
    const at = new Date().toISOString();
    const legacy = await queryExperimentResults(service, id, ['completion_rate']);
    const modern = await queryExperimentResults(service, id, { factors: ['completion_rate'], at });
    expect(legacy.factors.map((f) => f.factor)).toEqual(['completion_rate']);
    expect(modern.factors.map((f) => f.factor)).toEqual(['completion_rate']);
  });

  it('5. runGovernanceCheck(store, id, [factors]) -> legacy_call; (store, id) works', async () => {
    const id = await runningExperiment();
    await expectLegacyCall(
      () => runGovernanceCheck(service, id, ['completion_rate'] as never),
      'runGovernanceCheck(store, experimentId)',
    );
    expect((await runGovernanceCheck(service, id)).entry.experimentId).toBe(id);
  });

  it('6. logGovernanceVerdict(store, experimentId, verdict) -> legacy_call', async () => {
    const id = await runningExperiment();
    await expectLegacyCall(
      () => logGovernanceVerdict(service, id as never, { action: 'continue' } as never),
      'logGovernanceVerdict(store, evaluation, decision)',
    );
  });

  it('7. queryFactorHistory(store, userId, path, factorName, since): an overload', async () => {
    const legacy = await queryFactorHistory(
      service,
      USER,
      'Checkout/Pay',
      'completion_rate',
      new Date(0) as never,
    );
    const modern = await queryFactorHistory(service, USER, 'Checkout/Pay', new Date(0), {
      factors: ['completion_rate'],
    });
    expect(legacy).toEqual(modern);
  });

  it('8. queryFactorDelta(store, userId, path, factorName, before, after) -> legacy_call', async () => {
    await expectLegacyCall(
      () =>
        queryFactorDelta(
          service,
          USER,
          'Checkout/Pay',
          'completion_rate',
          new Date(0),
          new Date() as never,
        ),
      'queryFactorDelta(store, userId, path, from, to, { factors: [factorName] })',
    );
    expect(await queryFactorDelta(service, USER, 'Checkout/Pay', new Date(0), new Date())).toEqual(
      [],
    );
  });

  it('9. createEventWriter(store, interval, batchSize, adapter) -> legacy_call', async () => {
    await expectLegacyCall(
      () => (createEventWriter as unknown as (...a: unknown[]) => unknown)(service, 2000, 50),
      'createEventWriter({ store })',
    );
  });

  it('10. createSessionManager(store, adapter, platform, timeoutMs) -> legacy_call', async () => {
    await expectLegacyCall(
      () =>
        (createSessionManager as unknown as (...a: unknown[]) => unknown)(
          service,
          {},
          'web',
          1_800_000,
        ),
      'createSessionManager({ storage, inactivityTimeoutMs, metadata })',
    );
    expect(createSessionManager({ storage: createMemoryKVStorage() }).getSessionId()).toMatch(/-/);
  });

  it('11. initCapture({ flushBatchSize }) is mapped to batchSize, never ignored', async () => {
    const capture = initCapture({
      store: user,
      adapter: null,
      storage: null,
      flushBatchSize: 1,
    } as never);
    capture.track('custom', 'a/b');
    await capture.flushEvents();
    await capture.stopCapture();
    expect(await service.listEvents({ userId: USER })).toHaveLength(1);
  });

  it("12. trackNavigation(path, 'complete'): an overload recording { action: 'complete' }", async () => {
    const capture = initCapture({ store: user, adapter: null, storage: null });
    capture.trackNavigation('Checkout/Pay', 'complete');
    capture.trackNavigation('Checkout/Done', { step: 2 });
    await capture.flushEvents();
    await capture.stopCapture();
    const events = await service.listEvents({ userId: USER });
    expect(events.map((e) => [e.path, e.payload])).toEqual([
      ['Checkout/Pay', { action: 'complete' }],
      ['Checkout/Done', { step: 2 }],
    ]);
  });

  it('13. a 0.5.1 custom FactoredStore fails at construction, listing the methods to implement', async () => {
    const store051 = {
      getCurrentUserId: async () => USER,
      getAssignment: async () => null,
      getRunningExperiment: async () => null,
      insertEvents: async () => undefined,
    };
    const error = await caught(() => evaluateFlag(store051 as never, 'cta'));
    expect(error.code).toBe('legacy_call');
    expect(error.message).toContain(
      'getIdentity, listExperiments, listAssignments, recordAssignment, recordExposure',
    );
    const capture = await caught(() => initCapture({ store: store051 as never, adapter: null }));
    expect(capture.code).toBe('legacy_call');
    expect(capture.message).toContain('initCapture: a 0.5.1 store or adapter');
  });

  it('14. a 0.5.1 custom CaptureAdapter fails at construction, listing the methods to implement', async () => {
    const adapter051 = {
      startListening() {},
      stopListening() {},
      collectSessionMetadata: () => ({}),
      loadSessionId: () => null,
      persistQueue() {},
    };
    const error = await caught(() => initCapture({ store: user, adapter: adapter051 as never }));
    expect(error.code).toBe('legacy_call');
    expect(error.message).toContain('initCapture: a 0.5.1 store or adapter');
  });

  it('15. resolveAllSources().sources: a deprecated alias of .data', async () => {
    const resolved = await resolveAllSources({ cart: { fetch: async () => ({ n: 2 }) } });
    expect((resolved as unknown as { sources: unknown }).sources).toEqual({ cart: { n: 2 } });
    expect(resolved.data).toEqual({ cart: { n: 2 } });
    expect(Object.keys(resolved)).toEqual(['data', 'results', 'errors']);
  });

  it("16. createSpecStorage(kv, 'prefix') and storage.loadActive() -> legacy_call", async () => {
    const kv = createMemoryKVStorage();
    await expectLegacyCall(
      () => createSpecStorage(kv, 'factoredui' as never),
      'createSpecStorage(kv, { prefix })',
    );
    const storage = createSpecStorage(kv);
    await expectLegacyCall(
      () => (storage as unknown as { loadActive(): Promise<unknown> }).loadActive(),
      'storage.load(name, platform)',
    );
    expect(await storage.load('home', 'web')).toBeNull();
  });

  it('17. dispatchAction({ action, params }, registry, context): an overload', async () => {
    const calls: unknown[] = [];
    const handlers = { 'cart.add': (params: Record<string, unknown>) => void calls.push(params) };
    const legacy = await dispatchAction(
      { action: 'cart.add', params: { sku: '{item.sku}' } } as never,
      handlers,
      {
        item: { sku: 'TEA-1' },
      } as never,
    );
    const modern = await dispatchAction(
      { name: 'cart.add', params: { sku: '{item.sku}' } },
      handlers,
      {
        scope: { item: { sku: 'TEA-2' } },
      },
    );
    expect([legacy.status, modern.status]).toEqual(['handled', 'handled']);
    expect(calls).toEqual([{ sku: 'TEA-1' }, { sku: 'TEA-2' }]);
  });

  it('18. validateSpec(spec).length (0.5.1 returned the error list): an alias of errors.length', () => {
    const result = validateSpec({
      spec_version: 1,
      renderer_min: 1,
      root: { id: 'r', type: 'text', props: {} },
    });
    expect(result.valid).toBe(false);
    expect((result as unknown as { length: number }).length).toBe(result.errors.length);
    expect((result as unknown as { length: number }).length).toBeGreaterThan(0);
    expect(Object.keys(result)).not.toContain('length');
  });
});

describe('0.5.1 left-overs: the offline queue, React, renderSpec, sessions (issue #21)', () => {
  it('22. the 0.5.1 offline queue (factoredui:offline_queue) is drained at the first initCapture', async () => {
    const storage = createMemoryKVStorage();
    const session = '5f0c6e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6';
    const row = { user_id: USER, session_id: session, component_path: 'Checkout/Pay' };
    await storage.setItem(
      'factoredui:offline_queue',
      JSON.stringify([
        { ...row, event_type: 'click', payload: { x: 1, y: 2, target_tag: 'button' } },
        { ...row, event_type: 'input', payload: { target_tag: 'input', value: 'typed' } },
        { ...row, event_type: 'not-a-type', payload: {} },
      ]),
    );
    const capture = initCapture({ store: user, adapter: null, storage });
    await capture.ready;
    expect(await storage.getItem('factoredui:offline_queue')).toBeNull();
    expect(capture.getStats()).toMatchObject({ adopted: 2, rejected: 1 });
    await capture.flushEvents();
    await capture.stopCapture();
    const events = await service.listEvents({ userId: USER });
    expect(events.map((e) => [e.type, e.path, e.sessionId, e.payload]).sort()).toEqual([
      ['click', 'Checkout/Pay', session, { x: 1, y: 2, target_tag: 'button' }],
      ['input', 'Checkout/Pay', session, {}],
    ]);
  });
});

describe('the three places MIGRATING.md had wrong (issue #21)', () => {
  it('19. loadSpec(store, platform, baseline, storage, verifier) (0.5.1, no name) -> legacy_call', async () => {
    const baseline = {
      spec_version: 1,
      renderer_min: 1,
      root: { id: 'r', type: 'text', props: { content: 'Hi' } },
    };
    await expectLegacyCall(
      () =>
        (loadSpec as unknown as (...a: unknown[]) => unknown)(service, 'web', baseline, null, {
          verify: async () => ({ valid: true }),
        }),
      'loadSpec({ store, name, platform, baseline, storage, verifier })',
    );
  });

  it('20. createEd25519Signer(privateKeyBase64) (0.5.1 took one argument) -> legacy_call', async () => {
    await expectLegacyCall(
      () => createEd25519Signer('MC4CAQAwBQYDK2VwBCIEIA==' as never),
      'createEd25519Signer({ privateKey, keyId })',
    );
    const { privateKey } = await generateEd25519Keypair();
    expect(createEd25519Signer({ privateKey, keyId: 'k1' }).keyId).toBe('k1');
  });

  it('21. kMeans(points, k, seed) changed (it was listed as unchanged) -> legacy_call', async () => {
    const points = [
      [0, 0],
      [0, 1],
      [10, 10],
      [10, 11],
    ];
    await expectLegacyCall(() => kMeans(points, 2 as never), 'kMeans(points, { k, seed })');
    expect(kMeans(points, { k: 2, seed: 1 }).assignments).toHaveLength(4);
  });
});
