import {
  createExperiment,
  createRandomId,
  queryRecentGovernanceLog,
  startExperiment,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT, PATHS, THRESHOLDS } from './config.js';
import { ensureMetricPlan } from './metrics.js';
import { simulateTraffic } from './simulate.js';

async function setup() {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const experiment = await startExperiment(
    service,
    (await createExperiment(service, EXPERIMENT)).id,
  );
  for (const t of THRESHOLDS)
    await service.upsertThreshold({ id: createRandomId(), experimentId: experiment.id, ...t });
  await ensureMetricPlan(service, experiment.id);
  return { database, service, experiment };
}

describe('simulateTraffic', () => {
  it('writes visitors through capture, snapshots both periods and governs the experiment', async () => {
    const { database, service, experiment } = await setup();
    const phases: string[] = [];
    const result = await simulateTraffic({
      users: 200,
      seed: Number(process.env.SIM_SEED ?? 7),
      service,
      storeFor: (userId) => createMemoryStore({ database, userId }),
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    expect(phases).toEqual(['visitors', 'factors', 'governance', 'done']);
    expect(result.events).toBe((await service.listEvents()).length);
    const assignments = await service.listAssignments({ experimentId: experiment.id });
    expect(assignments.length).toBe(
      (result.assigned.control ?? 0) + (result.assigned.express ?? 0),
    );
    // Sessions belong to the visitors that wrote them (user-scoped stores).
    const sessions = await service.listSessions({ userId: assignments[0]?.userId });
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    const [entry] = await queryRecentGovernanceLog(service, 1);
    expect(entry?.experimentId).toBe(experiment.id);
    // The model makes express better: the verdict concludes with it.
    expect(entry?.verdict).toBe('conclude');
    expect(entry?.winner).toBe('express');
    const rage = entry?.factors.find((f) => f.factor === 'rage_click_count');
    expect(rage?.path).toBe(PATHS.submit);
    expect(rage?.cuped?.usersWithCovariate).toBeGreaterThan(0);
    // The plan decided it: the primary improved beyond its minimum effect, the guardrail held.
    const primary = entry?.metrics?.find((m) => m.role === 'primary');
    expect(primary?.metric).toBe('checkout-conversion');
    expect(primary?.comparisons[0]).toMatchObject({ significant: true, passesThreshold: true });
    const guardrail = entry?.metrics?.find((m) => m.role === 'guardrail');
    expect(guardrail?.metric).toBe('checkout-errors');
    expect(guardrail?.comparisons[0]?.guardrail).toBe('non_inferior');
  });
});
