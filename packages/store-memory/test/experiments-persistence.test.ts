import {
  createExperiment,
  createFlagClient,
  createMemoryKVStorage,
  queryExperimentSummary,
  startExperiment,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';

const ALICE = '00000000-0000-4000-8000-00000000a11c';

describe('memory store: experiments', () => {
  it('persists definitions, assignments and exposures across a reload', async () => {
    const storage = createMemoryKVStorage();
    const first = createMemoryDatabase({ storage });
    const service = createMemoryStore({ database: first, role: 'service' });
    const created = await createExperiment(service, {
      name: 'pay-button-copy',
      path: 'shop/checkout/pay-form/submit',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'pay-now', weight: 50 },
      ],
    });
    await startExperiment(service, created.id);
    const client = createFlagClient({
      store: createMemoryStore({ database: first, userId: ALICE }),
      sessionId: 's1',
      ttlMs: 0,
    });
    await client.ready();
    const variant = client.evaluate('pay-button-copy').variantKey;
    expect(await client.recordExposure('pay-button-copy')).toEqual({ recorded: true });
    client.destroy();
    await first.flush();

    const reloaded = createMemoryDatabase({ storage });
    await reloaded.ready;
    const again = createMemoryStore({ database: reloaded, role: 'service' });
    expect((await again.getExperiment('pay-button-copy')).status).toBe('running');
    expect(await again.listAssignments()).toEqual([
      expect.objectContaining({ userId: ALICE, variantKey: variant }),
    ]);
    const rows = await queryExperimentSummary(again, created.id);
    expect(rows.find((r) => r.variantKey === variant)).toMatchObject({
      assignedUsers: 1,
      exposedUsers: 1,
    });
    // The same session is still de-duplicated after the reload.
    const alice = createMemoryStore({ database: reloaded, userId: ALICE });
    expect(
      await alice.recordExposure({
        userId: ALICE,
        experimentId: created.id,
        variantKey: variant as string,
        sessionId: 's1',
        exposedAt: new Date().toISOString(),
      }),
    ).toEqual({ recorded: false });
  });

  it('publishes definition changes on `experiments` and assignment writes on `assignments`', async () => {
    const database = createMemoryDatabase();
    const service = createMemoryStore({ database, role: 'service' });
    const topics: string[] = [];
    service.subscribe?.('experiments', (change) => topics.push(`experiments:${change.key}`));
    service.subscribe?.('assignments', (change) => topics.push(`assignments:${change.key}`));
    const created = await createExperiment(service, {
      name: 'x',
      path: 'a/b',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'b', weight: 50 },
      ],
    });
    await startExperiment(service, created.id);
    await service.recordAssignment({
      userId: ALICE,
      experimentId: created.id,
      variantKey: 'b',
      assignedAt: new Date().toISOString(),
    });
    await Promise.resolve();
    expect(topics).toEqual([
      `experiments:${created.id}`,
      `experiments:${created.id}`,
      `assignments:${ALICE}`,
    ]);
  });
});
