import { describe, expect, it } from 'vitest';
import { createFlagClient } from '../../experiments/client.js';
import { layerBucket } from '../../experiments/hash.js';
import {
  concludeExperiment,
  createExperiment,
  startExperiment,
  stopExperiment,
  updateExperiment,
} from '../../experiments/lifecycle.js';
import { decideAssignment } from '../../experiments/rule.js';
import type { Experiment, ExperimentLayer, NewExperiment } from '../../experiments/types.js';
import type { FactoredStore } from '../../store/contract.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { testUuid } from '../harness.js';

const LAYER = 'checkout-layer';
const T = '2026-01-05T10:00:00.000Z';

function layered(name: string, path: string, layer: ExperimentLayer | null): NewExperiment {
  return {
    name,
    path,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    layer,
  };
}

async function running(service: FactoredStore, definition: NewExperiment): Promise<Experiment> {
  return startExperiment(service, (await createExperiment(service, definition)).id);
}

/** Layers (DESIGN §18): disjoint bucket ranges make experiments of a layer mutually exclusive. */
export function layersConformance(ctx: SuiteContext): void {
  describe('layers', () => {
    it('round-trips a layer slice; an experiment without one has no layer field', async () => {
      const service = await ctx.service();
      const a = await createExperiment(
        service,
        layered('layer-a', 'shop/a', { name: LAYER, start: 0, end: 2500 }),
      );
      expect(a.layer).toEqual({ name: LAYER, start: 0, end: 2500 });
      expect((await service.getExperiment(a.id)).layer).toEqual(a.layer);
      const plain = await createExperiment(service, layered('plain', 'shop/a', null));
      expect('layer' in plain).toBe(false);
      expect(await service.getExperiment(plain.id)).toEqual(plain);
    });

    it('refuses an overlapping slice of a draft or running experiment, naming it', async () => {
      const service = await ctx.service();
      const a = await running(
        service,
        layered('layer-a', 'shop/a', { name: LAYER, start: 0, end: 2500 }),
      );
      const b = await createExperiment(
        service,
        layered('layer-b', 'shop/b', { name: LAYER, start: 2500, end: 5000 }),
      );
      // One bucket of overlap on either side is refused, on another path too.
      const first = await expectCode(
        createExperiment(
          service,
          layered('layer-c', 'shop/c', { name: LAYER, start: 2499, end: 2600 }),
        ),
        'conflict',
      );
      expect(first.message).toContain('layer-a');
      expect(first.details).toMatchObject({ experimentId: a.id });
      const second = await expectCode(
        createExperiment(
          service,
          layered('layer-c', 'shop/c', { name: LAYER, start: 4999, end: 6000 }),
        ),
        'conflict',
      );
      expect(second.message).toContain('layer-b');
      // Updating a draft into an overlap is refused too; nothing changed.
      const c = await createExperiment(
        service,
        layered('layer-c', 'shop/c', { name: LAYER, start: 5000, end: 10000 }),
      );
      const third = await expectCode(
        updateExperiment(service, c.id, { layer: { name: LAYER, start: 100, end: 200 } }),
        'conflict',
      );
      expect(third.message).toContain('layer-a');
      expect((await service.getExperiment(c.id)).layer).toEqual(c.layer);
      // The raw store method refuses it as well (core's check is not the only one).
      await expectCode(
        service.updateExperiment(c.id, {
          expectedStatus: 'draft',
          changes: { layer: { name: LAYER, start: 0, end: 10000 } },
        }),
        'conflict',
      );
      // Another layer, or the same range after the owner ends, is free.
      await createExperiment(
        service,
        layered('other-layer', 'shop/a', { name: 'other', start: 0, end: 2500 }),
      );
      await stopExperiment(service, b.id);
      await concludeExperiment(service, a.id, 'treatment');
      const reuse = await createExperiment(
        service,
        layered('layer-d', 'shop/d', { name: LAYER, start: 0, end: 5000 }),
      );
      expect(reuse.layer).toEqual({ name: LAYER, start: 0, end: 5000 });
      // A draft may leave its layer (null); a running experiment's slice is frozen.
      const left = await updateExperiment(service, reuse.id, { layer: null });
      expect('layer' in left).toBe(false);
      expect('layer' in (await service.getExperiment(reuse.id))).toBe(false);
      await startExperiment(service, c.id);
      await expectCode(
        updateExperiment(service, c.id, { layer: { name: LAYER, start: 6000, end: 10000 } }),
        'conflict',
      );
    });

    it('rejects malformed slices with invalid_input', async () => {
      const service = await ctx.service();
      for (const layer of [
        { name: '', start: 0, end: 10 },
        { name: 'x\u001fy', start: 0, end: 10 },
        { name: LAYER, start: -1, end: 10 },
        { name: LAYER, start: 10, end: 10 },
        { name: LAYER, start: 0, end: 10001 },
        { name: LAYER, start: 0.5, end: 10 },
        { name: 'x'.repeat(201), start: 0, end: 10 },
      ]) {
        await expectCode(
          createExperiment(service, layered('bad', 'shop/a', layer)),
          'invalid_input',
        );
      }
      expect(await service.listExperiments()).toEqual([]);
    });

    it('a user is assigned only inside the slice (cause layer), never to two experiments of a layer', async () => {
      const service = await ctx.service();
      const slices: [string, string, number, number][] = [
        ['layer-a', 'shop/a', 0, 3000],
        ['layer-b', 'shop/b', 3000, 6000],
        ['layer-c', 'shop/c', 6000, 9000],
      ];
      const experiments: Experiment[] = [];
      for (const [name, path, start, end] of slices) {
        experiments.push(await running(service, layered(name, path, { name: LAYER, start, end })));
      }
      const users = Array.from({ length: 24 }, (_, i) => testUuid(0x1a7e, i));
      let refused = 0;
      for (const userId of users) {
        const store = await ctx.user(userId);
        const bucket = layerBucket(LAYER, userId);
        const enrolled: string[] = [];
        // The hostile client asks for every experiment, predicting each variant in turn.
        for (const experiment of experiments) {
          const decided = decideAssignment(experiment, userId, []);
          for (const variantKey of ['control', 'treatment', undefined]) {
            const request = { userId, experimentId: experiment.id, variantKey, assignedAt: T };
            try {
              const stored = await store.recordAssignment(request);
              enrolled.push(experiment.id);
              expect(stored.variantKey).toBe(decided.variant?.key);
            } catch (error) {
              expect((error as { code?: string }).code).toBe('conflict');
              if (variantKey === undefined) {
                refused += 1;
                expect(decided.cause).toBe('layer');
                expect((error as { details?: unknown }).details).toMatchObject({ cause: 'layer' });
              }
            }
          }
        }
        const inside = experiments.filter(
          (e) => e.layer && bucket >= e.layer.start && bucket < e.layer.end,
        );
        expect(new Set(enrolled)).toEqual(new Set(inside.map((e) => e.id)));
        expect(inside.length).toBeLessThanOrEqual(1);
        const rows = await store.listAssignments({ userId });
        expect(rows.length).toBe(inside.length);
        // An exposure to an experiment the user is not in is refused whatever it names.
        for (const experiment of experiments) {
          if (inside.includes(experiment)) continue;
          await expectCode(
            store.recordExposure({
              userId,
              experimentId: experiment.id,
              variantKey: 'treatment',
              sessionId: 's',
              exposedAt: T,
            }),
            'not_found',
          );
        }
      }
      expect(refused).toBeGreaterThan(0);
    });

    it('the flag client predicts the layer exactly as the store decides', async () => {
      const service = await ctx.service();
      const experiments = [
        await running(service, layered('layer-a', 'shop/a', { name: LAYER, start: 0, end: 5000 })),
        await running(
          service,
          layered('layer-b', 'shop/b', { name: LAYER, start: 5000, end: 10000 }),
        ),
      ];
      for (let i = 0; i < 8; i++) {
        const userId = testUuid(0x1a7f, i);
        const store = await ctx.user(userId);
        const client = createFlagClient({ store, ttlMs: 0, sessionId: 'layers' });
        await client.ready();
        const predicted = experiments.map((e) => client.evaluate(e.name));
        expect(predicted.filter((p) => p.inExperiment)).toHaveLength(1);
        for (const [index, evaluation] of predicted.entries()) {
          await client.recordExposure(evaluation);
          const experiment = experiments[index] as Experiment;
          const stored = await store.listAssignments({ experimentId: experiment.id });
          if (evaluation.inExperiment) {
            expect(stored.map((a) => a.variantKey)).toEqual([evaluation.variantKey]);
          } else {
            expect(evaluation.cause).toBe('layer');
            expect(stored).toEqual([]);
          }
        }
        expect(client.getSnapshot().error).toBeNull();
        client.destroy();
      }
    });
  });
}
