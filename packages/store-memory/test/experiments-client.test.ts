import {
  bucketUser,
  concludeExperiment,
  createExperiment,
  createFlagClient,
  evaluateFlag,
  type FactoredStore,
  type FactorValue,
  type NewExperiment,
  serializeFlagState,
  startExperiment,
  stopExperiment,
} from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryDatabase,
} from '@factoredui/store-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ALICE = '00000000-0000-4000-8000-00000000a11c';
const BOB = '00000000-0000-4000-8000-000000000b0b';
const PATH = 'shop/checkout/pay-form/submit';

let database: MemoryDatabase;
let service: FactoredStore;
beforeEach(() => {
  database = createMemoryDatabase();
  service = createMemoryStore({ database, role: 'service' });
});
afterEach(() => {
  vi.useRealTimers();
});

const userStore = (userId = ALICE) => createMemoryStore({ database, userId });

/** A store without realtime, with call counters. */
function counting(store: FactoredStore) {
  const calls = { listExperiments: 0, listAssignments: 0, getFactors: 0, recordAssignment: 0 };
  const wrapped: FactoredStore = {
    ...store,
    subscribe: undefined,
    listExperiments: (q) => {
      calls.listExperiments += 1;
      return store.listExperiments(q);
    },
    listAssignments: (q) => {
      calls.listAssignments += 1;
      return store.listAssignments(q);
    },
    getFactors: (q) => {
      calls.getFactors += 1;
      return store.getFactors(q);
    },
    recordAssignment: (a) => {
      calls.recordAssignment += 1;
      return store.recordAssignment(a);
    },
  };
  return { store: wrapped, calls };
}

function definition(overrides: Partial<NewExperiment> = {}): NewExperiment {
  return {
    name: 'pay-button-copy',
    path: PATH,
    variants: [
      { key: 'control', weight: 50, config: { label: 'Continue' } },
      { key: 'pay-now', weight: 50, config: { label: 'Pay now' } },
    ],
    ...overrides,
  };
}

async function running(overrides: Partial<NewExperiment> = {}) {
  const created = await createExperiment(service, definition(overrides));
  return startExperiment(service, created.id);
}

describe('flag client', () => {
  it('loads once, then evaluates synchronously with no store round trip', async () => {
    const live = await running();
    const { store, calls } = counting(userStore());
    const client = createFlagClient({ store, ttlMs: 0 });
    expect(client.evaluate('pay-button-copy')).toMatchObject({
      variantKey: null,
      cause: 'loading',
      reason: 'DEFAULT',
    });
    await client.ready();
    const expected = bucketUser(live, ALICE)?.key;
    for (let i = 0; i < 100; i++) {
      expect(client.evaluate('pay-button-copy').variantKey).toBe(expected);
    }
    expect(calls).toEqual({
      listExperiments: 1,
      listAssignments: 1,
      getFactors: 0,
      recordAssignment: 1,
    });
    client.destroy();
  });

  it('returns stable snapshots and evaluation objects until something changes', async () => {
    await running();
    const client = createFlagClient({ store: userStore(), ttlMs: 0 });
    await client.ready();
    const snapshot = client.getSnapshot();
    expect(snapshot).toMatchObject({ status: 'ready', userId: ALICE, error: null });
    const first = client.evaluate('pay-button-copy');
    expect(client.evaluate('pay-button-copy')).toBe(first);
    expect(client.getSnapshot()).toBe(snapshot);
    const listener = vi.fn();
    client.subscribe(listener);
    await createExperiment(service, definition({ name: 'another', path: 'a/b' })).then((e) =>
      startExperiment(service, e.id),
    );
    await vi.waitFor(() => expect(client.evaluate('another').cause).not.toBe('unknown_flag'));
    expect(listener).toHaveBeenCalled();
    expect(client.getSnapshot()).not.toBe(snapshot);
    expect(client.getSnapshot().version).toBeGreaterThan(snapshot.version);
    client.destroy();
  });

  it('evaluating the same user 1,000 times gives one assignment row and one exposure per session', async () => {
    const live = await running();
    const alice = userStore();
    for (let i = 0; i < 1000; i++) await evaluateFlag(alice, 'pay-button-copy', 'web');
    expect(await service.listAssignments({ experimentId: live.id })).toHaveLength(1);
    expect(await service.listExposures({ experimentId: live.id })).toHaveLength(1);

    const nextSession = createFlagClient({ store: alice, sessionId: 'next-session', ttlMs: 0 });
    await nextSession.ready();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => nextSession.recordExposure('pay-button-copy')),
    );
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await service.listAssignments({ experimentId: live.id })).toHaveLength(1);
    const exposures = await service.listExposures({ experimentId: live.id });
    expect(exposures).toHaveLength(2);
    expect(new Set(exposures.map((e) => e.sessionId)).size).toBe(2);
    nextSession.destroy();
  });

  it('evaluateFlag returns null when the user gets no variant (0.5 behaviour)', async () => {
    await running({ platforms: ['ios'] });
    const alice = userStore();
    expect(await evaluateFlag(alice, 'pay-button-copy', 'web')).toBeNull();
    expect(await evaluateFlag(alice, 'unknown-flag')).toBeNull();
    expect(await evaluateFlag(alice, 'pay-button-copy', 'ios')).toMatchObject({
      reason: 'TARGETING_MATCH',
    });
  });

  it("adopts the store's assignment when another tab assigned first", async () => {
    const live = await running();
    const { store } = counting(userStore());
    const client = createFlagClient({ store, ttlMs: 0 });
    await client.ready();
    const bucketed = bucketUser(live, ALICE)?.key;
    const other = bucketed === 'control' ? 'pay-now' : 'control';
    // A back-fill by the service role (users cannot choose a variant) lands meanwhile.
    await service.recordAssignment({
      userId: ALICE,
      experimentId: live.id,
      variantKey: other,
      assignedAt: new Date().toISOString(),
    });
    expect(client.evaluate('pay-button-copy').variantKey).toBe(bucketed);
    await vi.waitFor(() => expect(client.evaluate('pay-button-copy').variantKey).toBe(other));
    const exposure = await client.recordExposure('pay-button-copy');
    expect(exposure.recorded).toBe(true);
    expect((await service.listExposures())[0]?.variantKey).toBe(other);
    client.destroy();
  });

  it('keeps one running experiment per path, also when another tab raced it', async () => {
    await running({ name: 'first' });
    const second = await running({ name: 'second' });
    const client = createFlagClient({ store: userStore(), ttlMs: 0 });
    await client.ready();
    expect(client.evaluate('first').inExperiment).toBe(true);
    expect(client.evaluate('second')).toMatchObject({
      inExperiment: false,
      cause: 'excluded',
      variantKey: null,
    });
    client.destroy();

    // Bob's client does not see that another tab enrolled him in `second`.
    const { store } = counting(userStore(BOB));
    const bob = createFlagClient({ store, ttlMs: 0 });
    await bob.ready();
    const raced = await userStore(BOB).recordAssignment({ userId: BOB, experimentId: second.id });
    expect(bob.evaluate('first').inExperiment).toBe(true);
    await vi.waitFor(() =>
      expect(bob.evaluate('first')).toMatchObject({ inExperiment: false, cause: 'excluded' }),
    );
    await vi.waitFor(() =>
      expect(bob.evaluate('second')).toMatchObject({
        inExperiment: true,
        variantKey: raced.variantKey,
      }),
    );
    expect(await service.listAssignments({ userId: BOB })).toHaveLength(1);
    bob.destroy();
  });

  it('serves a concluded winner to everyone and the default for stopped experiments', async () => {
    const won = await running({ name: 'won' });
    await concludeExperiment(service, won.id, 'pay-now');
    const halted = await running({ name: 'halted', path: 'a/b' });
    await stopExperiment(service, halted.id);
    const client = createFlagClient({ store: userStore(), ttlMs: 0 });
    await client.ready();
    expect(client.evaluate('won')).toMatchObject({
      variantKey: 'pay-now',
      config: { label: 'Pay now' },
      reason: 'STATIC',
      inExperiment: false,
    });
    expect(client.evaluate('halted')).toMatchObject({
      variantKey: null,
      reason: 'DEFAULT',
      cause: 'stopped',
    });
    expect(client.evaluate('nope')).toMatchObject({
      variantKey: null,
      cause: 'unknown_flag',
      experimentId: null,
    });
    expect(await client.recordExposure('won')).toEqual({ recorded: false });
    expect(await service.listAssignments()).toEqual([]);
    client.destroy();
  });

  it("targets on the user's factors for the experiment's path, and metadata and platform", async () => {
    await running({
      targeting: [
        { kind: 'factor', factor: 'rage_click_count', operator: 'gte', value: 2 },
        { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.10' },
      ],
    });
    const factors: FactorValue[] = [
      {
        userId: ALICE,
        path: PATH,
        factor: 'rage_click_count',
        value: 3,
        asOf: '2026-01-01T00:00:00.000Z',
      },
    ];
    const alice = userStore();
    const { store, calls } = counting({ ...alice, getFactors: async () => factors });
    const client = createFlagClient({
      store,
      platform: 'web',
      metadata: { appVersion: '2.9.1' },
      ttlMs: 0,
    });
    await client.ready();
    expect(calls.getFactors).toBe(1);
    expect(client.evaluate('pay-button-copy').cause).toBe('targeting');
    expect(
      client.evaluate('pay-button-copy', { metadata: { appVersion: '2.10.0' } }),
    ).toMatchObject({
      inExperiment: true,
      reason: 'TARGETING_MATCH',
    });
    client.destroy();

    // Bob has no factor on the path: not enrolled (Alice is, and stays: assignments are sticky).
    const noFactors = createFlagClient({
      store: { ...userStore(BOB), getFactors: async () => [] },
      metadata: { app_version: '3.0' },
      ttlMs: 0,
    });
    await noFactors.ready();
    expect(noFactors.evaluate('pay-button-copy').cause).toBe('targeting');
    noFactors.destroy();
  });

  it('bootstraps from serialized state: right variant on the first render, no request', async () => {
    const live = await running();
    const server = createFlagClient({ store: service, userId: ALICE, ttlMs: 0 });
    await server.ready();
    const serverVariant = server.evaluate('pay-button-copy').variantKey;
    await vi.waitFor(async () => expect(await service.listAssignments()).toHaveLength(1));
    const state = JSON.parse(JSON.stringify(serializeFlagState(server))) as ReturnType<
      typeof serializeFlagState
    >;
    server.destroy();
    expect(state.assignments).toHaveLength(1);

    const { store, calls } = counting(userStore());
    const browser = createFlagClient({ store, userId: ALICE, bootstrap: state, ttlMs: 60_000 });
    expect(browser.getSnapshot().status).toBe('ready');
    expect(browser.evaluate('pay-button-copy')).toMatchObject({
      variantKey: serverVariant,
      experimentId: live.id,
    });
    await browser.ready();
    expect(calls.listExperiments + calls.listAssignments + calls.recordAssignment).toBe(0);
    expect(await browser.recordExposure('pay-button-copy')).toEqual({ recorded: true });
    browser.destroy();
  });

  it('rejects a malformed bootstrap and ignores the assignments of another user', async () => {
    await running();
    expect(() =>
      createFlagClient({ store: userStore(), bootstrap: { v: 2 } as never }),
    ).toThrowError(expect.objectContaining({ code: 'invalid_input' }));
    const server = createFlagClient({ store: service, userId: BOB, ttlMs: 0 });
    await server.ready();
    server.evaluate('pay-button-copy');
    await vi.waitFor(async () => expect(await service.listAssignments()).toHaveLength(1));
    const state = server.serialize();
    server.destroy();
    const { store, calls } = counting(userStore());
    const client = createFlagClient({ store, userId: ALICE, bootstrap: state, ttlMs: 0 });
    // Bob's assignment is not Alice's: the definitions are used at once, the assignments are
    // dropped and re-read for Alice.
    expect(client.serialize().assignments).toEqual([]);
    expect(client.serialize().experiments).toHaveLength(1);
    await vi.waitFor(() => expect(calls.listAssignments).toBe(1));
    expect(await service.listAssignments({ userId: BOB })).toHaveLength(1);
    client.evaluate('pay-button-copy');
    await vi.waitFor(async () =>
      expect(await service.listAssignments({ userId: ALICE })).toHaveLength(1),
    );
    client.destroy();
  });

  it('refreshes after the TTL when the store has no realtime', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { store, calls } = counting(userStore());
    const client = createFlagClient({ store, ttlMs: 30_000 });
    await client.ready();
    expect(client.evaluate('pay-button-copy').cause).toBe('unknown_flag');
    await running();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(calls.listExperiments).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls.listExperiments).toBe(2);
    expect(client.evaluate('pay-button-copy').inExperiment).toBe(true);
    client.destroy();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls.listExperiments).toBe(2);
  });

  it('reports a failed first load, keeps the last good state when a refresh fails', async () => {
    await running();
    const alice = userStore();
    let fail = true;
    const flaky: FactoredStore = {
      ...alice,
      subscribe: undefined,
      listExperiments: async (q) => {
        if (fail) throw new Error('network down');
        return alice.listExperiments(q);
      },
    };
    const client = createFlagClient({ store: flaky, ttlMs: 0 });
    await expect(client.ready()).rejects.toMatchObject({ code: 'unavailable' });
    expect(client.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'unavailable' } });
    fail = false;
    await client.refresh();
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', error: null });
    await expect(client.ready()).resolves.toBeUndefined();
    const variant = client.evaluate('pay-button-copy').variantKey;
    fail = true;
    await expect(client.refresh()).rejects.toMatchObject({ code: 'unavailable' });
    expect(client.getSnapshot().status).toBe('ready');
    expect(client.evaluate('pay-button-copy').variantKey).toBe(variant);
    client.destroy();
  });

  it('switches users without leaking the previous user state', async () => {
    const live = await running();
    await service.recordAssignment({
      userId: BOB,
      experimentId: live.id,
      variantKey: 'pay-now',
      assignedAt: new Date().toISOString(),
    });
    await service.recordAssignment({
      userId: ALICE,
      experimentId: live.id,
      variantKey: 'control',
      assignedAt: new Date().toISOString(),
    });
    const client = createFlagClient({ store: service, userId: ALICE, ttlMs: 0 });
    await client.ready();
    expect(client.evaluate('pay-button-copy').variantKey).toBe('control');
    await client.setUser(BOB);
    expect(client.getSnapshot().userId).toBe(BOB);
    expect(client.evaluate('pay-button-copy').variantKey).toBe('pay-now');
    expect(client.serialize().assignments.map((a) => a.userId)).toEqual([BOB]);
    client.destroy();
  });

  it('evaluateFlag retries after a failed first load instead of failing forever', async () => {
    await running();
    const alice = userStore();
    let fail = true;
    const flaky: FactoredStore = {
      ...alice,
      listExperiments: async (q) => {
        if (fail) throw new Error('offline');
        return alice.listExperiments(q);
      },
    };
    await expect(evaluateFlag(flaky, 'pay-button-copy')).rejects.toMatchObject({
      code: 'unavailable',
    });
    fail = false;
    expect(await evaluateFlag(flaky, 'pay-button-copy')).toMatchObject({ inExperiment: true });
  });

  it('needs a user: a service store without userId is an error', async () => {
    const client = createFlagClient({ store: service, ttlMs: 0 });
    await expect(client.ready()).rejects.toMatchObject({ code: 'invalid_input' });
    client.destroy();
  });
});
