import {
  createExperiment,
  createFlagClient,
  createQueryCache,
  createStaticFlagClient,
  type FactoredStore,
  loadFlagState,
  type NewExperiment,
  recentGovernanceLogQuery,
  type SerializedFlagState,
  startExperiment,
} from '@factoredui/core';
import { instrumentStore } from '@factoredui/core/testing';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ALICE = '00000000-0000-4000-8000-00000000a11c';
const PATH = 'shop/checkout/pay-form/submit';

function setup() {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const user = (userId = ALICE) => createMemoryStore({ database, userId });
  return { database, service, user };
}

async function running(service: FactoredStore, input: Partial<NewExperiment> = {}) {
  const draft = await createExperiment(service, {
    name: 'cta-copy',
    path: PATH,
    variants: [
      { key: 'control', weight: 50, config: { label: 'Pay' } },
      { key: 'treatment', weight: 50, config: { label: 'Pay securely' } },
    ],
    ...input,
  });
  return startExperiment(service, draft.id);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('loadFlagState', () => {
  it('reads definitions and assignments, and writes or subscribes to nothing', async () => {
    const { service, user } = setup();
    const experiment = await running(service);
    const probe = instrumentStore(user());
    const state = await loadFlagState(probe.store, { userId: ALICE });
    expect(state).toMatchObject({ v: 1, userId: ALICE, assignments: [] });
    expect(state.experiments.map((e) => e.id)).toEqual([experiment.id]);
    expect(probe.writes()).toEqual([]);
    expect(probe.calls.map((c) => c.method).sort()).toEqual([
      'getHoldout',
      'listAssignments',
      'listExperiments',
    ]);
    expect(probe.openSubscriptionCount()).toBe(0);
    expect(await service.listAssignments({ userId: ALICE })).toEqual([]);
    // Plain JSON: a React Server Component can pass it to a client component.
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("uses the store's identity by default and refuses a store without a user", async () => {
    const { service, user } = setup();
    await running(service);
    expect((await loadFlagState(user())).userId).toBe(ALICE);
    await expect(loadFlagState(service)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(loadFlagState(user(), { userId: '' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('records the listed flags before returning when asked (opt-in)', async () => {
    const { service, user } = setup();
    const experiment = await running(service);
    const probe = instrumentStore(user());
    const state = await loadFlagState(probe.store, {
      userId: ALICE,
      recordAssignments: ['cta-copy'],
    });
    const rows = await service.listAssignments({ userId: ALICE });
    expect(rows).toHaveLength(1);
    expect(state.assignments).toEqual(rows);
    expect(probe.writes().map((c) => c.method)).toEqual(['recordAssignment']);
    // Sticky: a second request writes nothing and sees the same variant.
    probe.resetCalls();
    const again = await loadFlagState(probe.store, {
      userId: ALICE,
      recordAssignments: ['cta-copy', 'unknown-flag'],
    });
    expect(probe.writes()).toEqual([]);
    expect(again.assignments).toEqual(rows);
    expect(rows[0]?.experimentId).toBe(experiment.id);
  });
});

describe('a static flag client (server rendering)', () => {
  it('evaluates the bootstrap with no store call, and predicts what the live client records', async () => {
    const { service, user } = setup();
    await running(service);
    const state = await loadFlagState(user(), { userId: ALICE });
    const probe = instrumentStore(user());
    const server = createStaticFlagClient({ store: probe.store, bootstrap: state });
    const predicted = server.evaluate('cta-copy');
    expect(predicted.inExperiment).toBe(true);
    expect(await server.recordExposure(predicted)).toEqual({ recorded: false });
    await server.refresh();
    // The prediction is not part of its state: the browser must record it.
    expect(server.serialize().assignments).toEqual([]);
    expect(probe.calls).toEqual([]);
    expect(probe.openSubscriptionCount()).toBe(0);

    // The browser: the same bootstrap, a live client, records the predicted variant.
    const browser = createFlagClient({ store: user(), bootstrap: state, userId: ALICE });
    expect(browser.evaluate('cta-copy').variantKey).toBe(predicted.variantKey);
    await vi.waitFor(async () =>
      expect(await service.listAssignments({ userId: ALICE })).toMatchObject([
        { variantKey: predicted.variantKey },
      ]),
    );
    browser.destroy();
  });

  it('excludes the second experiment of a path as the live client does', async () => {
    const { service, user } = setup();
    await running(service, { name: 'first' });
    await running(service, { name: 'second' });
    const state = await loadFlagState(user(), { userId: ALICE });
    const server = createStaticFlagClient({ store: user(), bootstrap: state });
    const browser = createFlagClient({ store: user(), bootstrap: state, userId: ALICE });
    for (const flag of ['first', 'second']) {
      const [s, b] = [server.evaluate(flag), browser.evaluate(flag)];
      expect([s.variantKey, s.inExperiment, s.reason]).toEqual([
        b.variantKey,
        b.inExperiment,
        b.reason,
      ]);
    }
    expect(server.evaluate('second').inExperiment).toBe(false);
    browser.destroy();
  });

  it('validates its bootstrap and keeps its user', async () => {
    const { service, user } = setup();
    await running(service);
    expect(() =>
      createStaticFlagClient({
        store: user(),
        bootstrap: { v: 2 } as unknown as SerializedFlagState,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    const state = await loadFlagState(user(), { userId: ALICE });
    const server = createStaticFlagClient({ store: user(), bootstrap: state });
    expect(server.getSnapshot()).toMatchObject({ status: 'ready', userId: ALICE });
    await expect(server.ready()).resolves.toBeUndefined();
    await expect(server.setUser('someone-else')).rejects.toMatchObject({ code: 'invalid_input' });
    server.destroy();
  });
});

describe('destroy', () => {
  it('a live flag client releases its subscriptions and timer', async () => {
    vi.useFakeTimers();
    const { service, user } = setup();
    await running(service);
    const probe = instrumentStore(user());
    const client = createFlagClient({ store: probe.store });
    await client.ready();
    expect(probe.openSubscriptionCount()).toBe(2);
    expect(vi.getTimerCount()).toBe(1);
    client.destroy();
    client.destroy();
    expect(probe.openSubscriptionCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a query cache releases subscriptions, timers and entries', async () => {
    vi.useFakeTimers();
    const { service, user } = setup();
    await running(service);
    const probe = instrumentStore(user());
    const cache = createQueryCache(probe.store);
    const observer = cache.observe(recentGovernanceLogQuery());
    const listener = vi.fn();
    observer.subscribe(listener);
    await vi.waitFor(() => expect(observer.getSnapshot().isLoading).toBe(false));
    expect(probe.openSubscriptionCount()).toBeGreaterThan(0);
    await cache.fetch(recentGovernanceLogQuery(3)); // unobserved: a garbage-collection timer
    expect(vi.getTimerCount()).toBe(1);
    cache.destroy();
    cache.destroy();
    expect(probe.openSubscriptionCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(cache.dehydrate()).toEqual({ queries: [] });
    // Observing a destroyed cache opens nothing.
    cache.observe(recentGovernanceLogQuery()).subscribe(listener);
    expect(probe.openSubscriptionCount()).toBe(0);
  });

  it('a query cache with gcTimeMs Infinity keeps entries without any timer', async () => {
    vi.useFakeTimers();
    const { user } = setup();
    const cache = createQueryCache(user(), { gcTimeMs: Infinity });
    await cache.fetch(recentGovernanceLogQuery());
    cache.hydrate({ queries: [{ key: ['other'], data: 1, updatedAt: 1 }] });
    expect(vi.getTimerCount()).toBe(0);
    expect(cache.dehydrate().queries).toHaveLength(2);
  });
});
