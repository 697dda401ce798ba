import {
  createExperiment,
  estimateTimeToDecision,
  FactoredError,
  sampleSizePerVariant,
  startExperiment,
} from '@factoredui/core';
import { createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;

async function setup() {
  const service = createMemoryStore({ role: 'service' });
  const draft = await createExperiment(service, {
    name: 'checkout-cta',
    path: 'shop/checkout/cta',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
  });
  return { service, draft };
}

describe('estimateTimeToDecision', () => {
  it('days to the required sample at the observed traffic of the smallest variant', async () => {
    const { service, draft } = await setup();
    const experiment = await startExperiment(service, draft.id);
    const started = Date.parse(experiment.startedAt as string);
    for (let i = 0; i < 100; i += 1)
      for (const variantKey of ['control', 'treatment'])
        await service.recordAssignment({
          userId: `${variantKey}-${i}`,
          experimentId: experiment.id,
          variantKey,
          assignedAt: new Date(started + 1000).toISOString(),
        });
    await service.recordAssignment({
      userId: 'one-more',
      experimentId: experiment.id,
      variantKey: 'treatment',
      assignedAt: new Date(started + 1000).toISOString(),
    });
    const estimate = await estimateTimeToDecision(service, experiment.id, {
      minimumDetectableEffect: 0.01,
      variance: 0.09,
      at: started + 2 * DAY,
    });
    const required = sampleSizePerVariant(0.01, { variance: 0.09 }).perVariant;
    expect(estimate).toEqual({
      experimentId: experiment.id,
      variance: 0.09,
      usersPerVariantSoFar: 100,
      usersPerVariantPerDay: 50,
      requiredPerVariant: required,
      remainingPerVariant: required - 100,
      days: (required - 100) / 50,
    });
  });

  it('reads the variance from control of a metric (delta method)', async () => {
    const { service, draft } = await setup();
    const experiment = await startExperiment(service, draft.id);
    const started = Date.parse(experiment.startedAt as string);
    await service.defineMetric({
      name: 'purchase',
      kind: 'conversion',
      direction: 'higher',
      event: 'purchase',
    });
    const at = new Date(started + DAY).toISOString();
    for (const [i, converts] of [true, true, false, false].entries()) {
      const userId = `c${i}`;
      const t = new Date(started + 1000 + i).toISOString();
      await service.recordAssignment({
        userId,
        experimentId: experiment.id,
        variantKey: 'control',
        assignedAt: t,
      });
      await service.recordExposure({
        userId,
        experimentId: experiment.id,
        variantKey: 'control',
        sessionId: 's',
        exposedAt: t,
      });
      if (!converts) continue;
      const sessionId = `00000000-0000-4000-8000-00000000000${i}`;
      await service.startSession({
        id: sessionId,
        userId,
        startedAt: t,
        metadata: { platform: 'web' },
      });
      await service.insertEvents([
        {
          id: `00000000-0000-4000-8000-0000000001${i}0`,
          sessionId,
          userId,
          type: 'custom',
          path: 'shop/checkout',
          payload: { name: 'purchase', properties: {} },
          createdAt: t,
        },
      ]);
    }
    const estimate = await estimateTimeToDecision(service, experiment.id, {
      minimumDetectableEffect: 0.05,
      metric: 'purchase',
      at,
    });
    expect(estimate.variance).toBeCloseTo(1 / 3, 12); // sample variance of [1, 1, 0, 0]
  });

  it('refuses an experiment that has not started, and a call without a variance source', async () => {
    const { service, draft } = await setup();
    await expect(
      estimateTimeToDecision(service, draft.id, { minimumDetectableEffect: 0.01, variance: 0.09 }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await startExperiment(service, draft.id);
    const error = await estimateTimeToDecision(service, draft.id, {
      minimumDetectableEffect: 0.01,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FactoredError);
    expect((error as FactoredError).code).toBe('invalid_input');
  });
});
