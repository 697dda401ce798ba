import {
  createMemoryKVStorage,
  type FactoredStore,
  queryExperimentResults,
  runGovernanceCheck,
  type StoreChange,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';

const PATH = 'shop/checkout/pay-form/submit';
const T = Date.parse('2026-04-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T + ms).toISOString();
const uuid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function running(store: FactoredStore, name: string) {
  const draft = await store.insertExperiment({
    name,
    description: '',
    path: PATH,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: name,
  });
  return store.transitionExperiment(draft.id, { from: 'draft', to: 'running' });
}

describe('governance on the memory store', () => {
  it('flags a 45/55 split of a 50/50 experiment and keeps it running', async () => {
    const service = createMemoryStore({ role: 'service' });
    const experiment = await running(service, 'srm');
    for (let i = 0; i < 2000; i += 1) {
      await service.recordAssignment({
        userId: uuid(0xa55, i),
        experimentId: experiment.id,
        variantKey: i < 900 ? 'control' : 'treatment',
        assignedAt: iso(i),
      });
    }
    const {
      entry,
      concluded,
      experiment: after,
    } = await runGovernanceCheck(service, experiment.id);
    expect(entry.verdict).toBe('flag_review');
    expect(entry.reason).toMatch(/sample ratio mismatch/i);
    expect(entry.assigned).toEqual({ control: 900, treatment: 1100 });
    expect(entry.srm.pValue).toBeLessThan(0.001);
    expect(concluded).toBe(false);
    expect(after.status).toBe('running');
  });

  it('hides covariate sums over fewer than 5 users from user stores, not from the service', async () => {
    const database = createMemoryDatabase();
    const service = createMemoryStore({ role: 'service', database });
    const experiment = await running(service, 'k-anonymity');
    const snapshot = (userId: string, at: number, value: number) =>
      database.write('factors', (t) =>
        t.snapshots.push({
          userId,
          path: PATH,
          factor: 'error_rate',
          value,
          asOf: iso(at),
          snapshotAt: iso(at),
        }),
      );
    // 6 control users with y; 3 of them with x. Treatment: nobody.
    for (let i = 0; i < 6; i += 1) {
      const userId = uuid(0xc0, i);
      if (i < 3) snapshot(userId, 0, 0.1 * i);
      await service.recordAssignment({
        userId,
        experimentId: experiment.id,
        variantKey: 'control',
        assignedAt: iso(1000),
      });
      snapshot(userId, 2000, 0.5);
    }
    const query = { experimentId: experiment.id, factor: 'error_rate' as const, at: iso(3000) };
    const exact = await service.getSufficientStatistics(query);
    expect(exact[0]).toMatchObject({ assigned: 6, n: 6, sumY: 3, nX: 3, sumYWithX: 1.5 });
    expect(exact[0]?.sumX).toBeCloseTo(0.3, 12);
    const user = createMemoryStore({ database, userId: uuid(0xc0, 0) });
    // User stores read released statistics only (DESIGN §15).
    await service.releaseStatistics({ at: iso(3000) });
    const anonymous = await user.getSufficientStatistics(query);
    expect(anonymous[0]).toEqual({
      variantKey: 'control',
      assigned: 6,
      n: 6,
      sumY: 3,
      sumY2: 1.5,
      nX: 0,
      sumX: 0,
      sumX2: 0,
      sumXY: 0,
      sumYWithX: 0,
    });
  });

  it('announces each log row on the governance topic, keyed by experiment', async () => {
    const service = createMemoryStore({ role: 'service' });
    const experiment = await running(service, 'realtime');
    const changes: StoreChange[] = [];
    const unsubscribe = service.subscribe?.('governance', (change) => changes.push(change));
    await runGovernanceCheck(service, experiment.id, { at: iso(0) });
    await Promise.resolve();
    unsubscribe?.();
    expect(changes).toContainEqual({ topic: 'governance', key: experiment.id });
  });

  it('keeps thresholds and the log across reloads when persisted', async () => {
    const storage = createMemoryKVStorage();
    const first = createMemoryStore({ role: 'service', storage });
    const experiment = await running(first, 'persisted');
    await first.upsertThreshold({
      id: uuid(0x7, 1),
      experimentId: experiment.id,
      factor: 'error_rate',
      path: null,
      operator: 'lte',
      value: -0.01,
    });
    const { entry } = await runGovernanceCheck(first, experiment.id, { at: iso(0) });
    await first.database.flush();

    const second = createMemoryStore({
      role: 'service',
      database: createMemoryDatabase({ storage }),
    });
    expect(await second.listGovernanceLog()).toEqual([entry]);
    expect(await second.listThresholds()).toHaveLength(1);
    // Results read the same numbers without logging anything.
    const results = await queryExperimentResults(second, experiment.id, { at: iso(0) });
    expect(results.factors.map((f) => f.factor)).toEqual(['error_rate']);
    expect(await second.listGovernanceLog()).toHaveLength(1);
  });

  it('queryExperimentResults covers every directional factor when no threshold is set', async () => {
    const service = createMemoryStore({ role: 'service' });
    const experiment = await running(service, 'results');
    const results = await queryExperimentResults(service, experiment.id, { at: iso(0) });
    expect(results.factors.map((f) => f.factor)).toEqual([
      'completion_rate',
      'drop_off_rate',
      'error_rate',
      'retry_count',
      'rage_click_count',
      'dead_click_count',
      'scroll_reversal_count',
      'hesitation_ms',
    ]);
    expect(results.factors.every((f) => f.comparisons[0]?.outcome === 'insufficient_data')).toBe(
      true,
    );
    await expect(
      queryExperimentResults(service, experiment.id, { factors: ['sibling_count'] }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
