import {
  BUCKET_COUNT,
  createStaticFlagClient,
  decideAssignment,
  decideFlag,
  type Experiment,
  type ExperimentLayer,
  FactoredError,
  type FactoredStore,
  layerBucket,
  murmur3_32,
  validateExperimentDefinition,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const LAYER = 'checkout-layer';
const AT = '2026-01-01T00:00:00.000Z';

function experiment(id: string, path: string, layer: ExperimentLayer): Experiment {
  return {
    id,
    name: id,
    description: '',
    path,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: id,
    layer,
    status: 'running',
    winner: null,
    createdAt: AT,
    startedAt: AT,
    endedAt: null,
  };
}

/** Three experiments of one layer on three paths, taking 20%, 30% and 40% of the layer. */
const EXPERIMENTS = [
  experiment('layer-a', 'shop/a', { name: LAYER, start: 0, end: 2000 }),
  experiment('layer-b', 'shop/b/button', { name: LAYER, start: 2000, end: 5000 }),
  experiment('layer-c', 'profile/c', { name: LAYER, start: 5000, end: 9000 }),
];

describe('layers', () => {
  it('the layer bucket is murmur3_32(layer + U+001F + userId, 2) mod 10000', () => {
    for (const userId of ['u-1', 'ü-2', '']) {
      expect(layerBucket(LAYER, userId)).toBe(murmur3_32(`${LAYER}\u001f${userId}`, 2) % 10_000);
    }
    // Independent of the variant bucket even when a seed equals the layer name.
    expect(layerBucket('ab', 'c')).not.toBe(layerBucket('a', 'bc'));
  });

  it('100,000 users across three experiments of one layer: nobody in two, shares within 0.5 pp', () => {
    const users = 100_000;
    const enrolled = [0, 0, 0];
    let inTwo = 0;
    let outside = 0;
    let disagreements = 0;
    for (let i = 0; i < users; i++) {
      const userId = `user-${i}`;
      let count = 0;
      for (const [index, e] of EXPERIMENTS.entries()) {
        const evaluation = decideFlag(e, { userId });
        const rule = decideAssignment(e, userId, []);
        // The local evaluation and the store's rule agree on every user (counted, not
        // asserted per user: 300,000 expect calls would dominate the test's time).
        if ((rule.variant?.key ?? null) !== evaluation.variantKey) disagreements += 1;
        if (evaluation.inExperiment) {
          count += 1;
          enrolled[index] = (enrolled[index] as number) + 1;
        } else if (evaluation.cause !== 'layer' || rule.cause !== 'layer') {
          disagreements += 1;
        }
      }
      if (count > 1) inTwo += 1;
      if (count === 0) outside += 1;
    }
    expect(inTwo).toBe(0);
    expect(disagreements).toBe(0);
    for (const [index, e] of EXPERIMENTS.entries()) {
      const layer = e.layer as ExperimentLayer;
      const expected = (layer.end - layer.start) / BUCKET_COUNT;
      expect(Math.abs((enrolled[index] as number) / users - expected)).toBeLessThan(0.005);
    }
    expect(Math.abs(outside / users - 0.1)).toBeLessThan(0.005);
  });

  it('a stored assignment wins over the layer (sticky); a slice is checked before targeting', () => {
    const [a] = EXPERIMENTS as [Experiment];
    const outsider = Array.from({ length: 100 }, (_, i) => `o-${i}`).find(
      (u) => layerBucket(LAYER, u) >= 2000,
    ) as string;
    expect(decideFlag(a, { userId: outsider }).cause).toBe('layer');
    const sticky = decideFlag(a, {
      userId: outsider,
      assignment: { userId: outsider, experimentId: a.id, variantKey: 'treatment', assignedAt: AT },
    });
    expect(sticky).toMatchObject({ inExperiment: true, variantKey: 'treatment' });
    const targeted: Experiment = {
      ...a,
      targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'gt', value: 0 }],
    };
    expect(decideFlag(targeted, { userId: outsider }).cause).toBe('layer');
    expect(decideAssignment(targeted, outsider, []).cause).toBe('layer');
  });

  it('server-side flag state (createStaticFlagClient) puts each user in at most one experiment', () => {
    for (let i = 0; i < 200; i++) {
      const userId = `ssr-${i}`;
      const client = createStaticFlagClient({
        // The static client never calls its store.
        store: {} as FactoredStore,
        bootstrap: {
          v: 1,
          userId,
          experiments: EXPERIMENTS,
          assignments: [],
          factors: [],
          savedAt: AT,
        },
      });
      const inside = EXPERIMENTS.filter((e) => client.evaluate(e.name).inExperiment);
      const bucket = layerBucket(LAYER, userId);
      expect(inside.map((e) => e.id)).toEqual(
        EXPERIMENTS.filter(
          (e) => bucket >= (e.layer?.start ?? 0) && bucket < (e.layer?.end ?? 0),
        ).map((e) => e.id),
      );
      client.destroy();
    }
  });

  it('validates the slice: integer buckets 0 <= start < end <= 10000, a seed-like name', () => {
    const base = {
      name: 'x',
      path: 'shop/a',
      variants: [
        { key: 'control', weight: 50 },
        { key: 't', weight: 50 },
      ],
    };
    expect(
      validateExperimentDefinition({ ...base, layer: { name: 'L', start: 0, end: 10_000 } }),
    ).toMatchObject({ layer: { name: 'L', start: 0, end: 10_000 } });
    expect('layer' in validateExperimentDefinition({ ...base, layer: null })).toBe(false);
    const bad: [unknown, string][] = [
      ['L', 'layer'],
      [{ name: '', start: 0, end: 1 }, 'layer.name'],
      [{ name: 'a\u0000b', start: 0, end: 1 }, 'layer.name'],
      [{ name: 'x'.repeat(201), start: 0, end: 1 }, 'layer.name'],
      [{ name: 'L', start: -1, end: 1 }, 'layer.start'],
      [{ name: 'L', start: 10_000, end: 10_001 }, 'layer.start'],
      [{ name: 'L', start: 1.5, end: 3 }, 'layer.start'],
      [{ name: 'L', start: 5, end: 5 }, 'layer.end'],
      [{ name: 'L', start: 0, end: 10_001 }, 'layer.end'],
      [{ name: 'L', start: 0, end: '10' }, 'layer.end'],
      [{ name: 'L', start: 0, end: 10, share: 1 }, 'layer.share'],
    ];
    for (const [layer, field] of bad) {
      let error: unknown;
      try {
        validateExperimentDefinition({ ...base, layer: layer as ExperimentLayer });
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(layer)).toBeInstanceOf(FactoredError);
      expect((error as FactoredError).code).toBe('invalid_input');
      expect((error as FactoredError).details).toMatchObject({ field });
    }
  });
});
