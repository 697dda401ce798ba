import {
  type Assignment,
  createExperiment,
  createFlagClient,
  type FactoredStore,
  type SerializedFlagState,
  startExperiment,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ALICE = '00000000-0000-4000-8000-00000000a11c';
const BOB = '00000000-0000-4000-8000-000000000b0b';
const PATH = 'shop/checkout/pay-form/submit';

async function setup() {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const created = await createExperiment(service, {
    name: 'pay-button-copy',
    path: PATH,
    variants: [
      { key: 'control', weight: 50, config: { label: 'Continue' } },
      { key: 'pay-now', weight: 50, config: { label: 'Pay now' } },
    ],
  });
  const experiment = await startExperiment(service, created.id);
  return { service, experiment };
}

type AssignmentWrite = Parameters<FactoredStore['recordAssignment']>[0];

/** A store whose assignment writes wait until the test releases them, one by one. */
function heldWrites(store: FactoredStore) {
  const held: { assignment: AssignmentWrite; release: () => void }[] = [];
  let exposures = 0;
  const wrapped: FactoredStore = {
    ...store,
    subscribe: undefined,
    recordAssignment: (assignment) =>
      new Promise<Assignment>((resolve, reject) => {
        held.push({
          assignment,
          release: () => store.recordAssignment(assignment).then(resolve, reject),
        });
      }),
    recordExposure: (exposure) => {
      exposures += 1;
      return store.recordExposure(exposure);
    },
  };
  return { store: wrapped, held, exposures: () => exposures };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A fresh bootstrap of `userId` with no assignment yet. */
function bootstrapOf(
  experiment: Awaited<ReturnType<typeof setup>>['experiment'],
  userId: string,
  savedAt: string,
): SerializedFlagState {
  return { v: 1, userId, savedAt, experiments: [experiment], assignments: [], factors: [] };
}

describe('flag client: lazy timer', () => {
  it('a bootstrapped client created, evaluated and destroyed within one task makes no timer', async () => {
    const { service, experiment } = await setup();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const client = createFlagClient({
      store: { ...service, subscribe: undefined },
      userId: ALICE,
      bootstrap: bootstrapOf(experiment, ALICE, new Date().toISOString()),
    });
    expect(client.evaluate('pay-button-copy').inExperiment).toBe(true);
    client.destroy();
    await Promise.resolve();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });

  it('a bootstrapped client that outlives its task still re-reads when the bootstrap turns ttlMs old', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { service, experiment } = await setup();
    let reads = 0;
    const store: FactoredStore = {
      ...service,
      subscribe: undefined,
      listExperiments: (query) => {
        reads += 1;
        return service.listExperiments(query);
      },
    };
    const savedAt = new Date(Date.now() - 10_000).toISOString();
    const client = createFlagClient({
      store,
      userId: ALICE,
      bootstrap: bootstrapOf(experiment, ALICE, savedAt),
      ttlMs: 30_000,
    });
    await Promise.resolve();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(19_000);
    expect(reads).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(reads).toBe(1);
    client.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('flag client: lazy bookkeeping', () => {
  it("a previous user's assignment write landing after setUser does not release the new user's exposure early", async () => {
    const { service } = await setup();
    const probe = heldWrites(service);
    const client = createFlagClient({ store: probe.store, userId: ALICE, ttlMs: 0 });
    await client.ready();
    expect(client.evaluate('pay-button-copy').inExperiment).toBe(true);
    await vi.waitFor(() => expect(probe.held).toHaveLength(1));

    await client.setUser(BOB);
    expect(client.evaluate('pay-button-copy').inExperiment).toBe(true);
    await vi.waitFor(() => expect(probe.held).toHaveLength(2));
    // Alice's write lands while Bob's is still in flight.
    probe.held[0]?.release();
    await vi.waitFor(async () =>
      expect(await service.listAssignments({ userId: ALICE })).toHaveLength(1),
    );

    // Bob's exposure waits for Bob's write: nothing is recorded before it lands.
    const exposure = client.recordExposure('pay-button-copy');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(probe.exposures()).toBe(0);
    probe.held[1]?.release();
    await expect(exposure).resolves.toEqual({ recorded: true });
    expect(await service.listAssignments({ userId: BOB })).toHaveLength(1);
    client.destroy();
  });

  it('clients bootstrapped from one definitions array evaluate independently (shared index, own assignments)', async () => {
    const { service, experiment } = await setup();
    const savedAt = new Date().toISOString();
    const experiments = [experiment];
    const stateOf = (userId: string, variantKey?: string): SerializedFlagState => ({
      v: 1,
      userId,
      savedAt,
      experiments,
      assignments: variantKey
        ? [{ userId, experimentId: experiment.id, variantKey, assignedAt: savedAt }]
        : [],
      factors: [],
    });
    const alice = createFlagClient({
      store: service,
      userId: ALICE,
      bootstrap: stateOf(ALICE, 'pay-now'),
    });
    const bob = createFlagClient({
      store: service,
      userId: BOB,
      bootstrap: stateOf(BOB, 'control'),
    });
    expect(alice.evaluate('pay-button-copy').variantKey).toBe('pay-now');
    expect(bob.evaluate('pay-button-copy').variantKey).toBe('control');
    expect(alice.serialize().assignments).toEqual([
      expect.objectContaining({ userId: ALICE, variantKey: 'pay-now' }),
    ]);
    expect(bob.serialize().assignments).toEqual([
      expect.objectContaining({ userId: BOB, variantKey: 'control' }),
    ]);
    expect(bob.serialize().experiments).toEqual([experiment]);
    alice.destroy();
    bob.destroy();
  });

  it('ready() settles the same way whether it is asked for before or after the first load', async () => {
    const { service } = await setup();
    const early = createFlagClient({ store: service, userId: ALICE, ttlMs: 0 });
    const first = early.ready();
    expect(early.ready()).toBe(first);
    await expect(first).resolves.toBeUndefined();
    const late = createFlagClient({ store: service, userId: BOB, ttlMs: 0 });
    await vi.waitFor(() => expect(late.getSnapshot().status).toBe('ready'));
    await expect(late.ready()).resolves.toBeUndefined();
    expect(late.ready()).toBe(late.ready());

    const failing: FactoredStore = {
      ...service,
      subscribe: undefined,
      listExperiments: async () => {
        throw new Error('network down');
      },
    };
    const broken = createFlagClient({ store: failing, userId: ALICE, ttlMs: 0 });
    await vi.waitFor(() => expect(broken.getSnapshot().status).toBe('error'));
    await expect(broken.ready()).rejects.toMatchObject({ code: 'unavailable' });
    early.destroy();
    late.destroy();
    broken.destroy();
  });
});
