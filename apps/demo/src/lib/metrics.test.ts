import {
  createExperiment,
  createRandomId,
  type FactoredStore,
  metricSummary,
  queryRecentGovernanceLog,
  runGovernanceSweep,
  sampleSizePerVariant,
  startExperiment,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT, GOVERNANCE_OPTIONS, METRIC_PLAN, POWER_MDE, THRESHOLDS } from './config.js';
import { ensureMetricPlan, readMetrics } from './metrics.js';
import { simulateTraffic } from './simulate.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

/** A started experiment with the demo's thresholds, and a seeded 200-visitor simulation. */
async function simulated(plan: (service: FactoredStore, id: string) => Promise<void>) {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const experiment = await startExperiment(
    service,
    (await createExperiment(service, EXPERIMENT)).id,
  );
  for (const t of THRESHOLDS)
    await service.upsertThreshold({ id: createRandomId(), experimentId: experiment.id, ...t });
  await plan(service, experiment.id);
  await simulateTraffic({
    users: 200,
    seed: 7,
    service,
    storeFor: (userId) => createMemoryStore({ database, userId }),
    now: () => NOW,
  });
  return { service, experimentId: experiment.id };
}

describe('the governor metric readout', () => {
  it('reads the plan metrics and the monitored one at governance’s α, with Bayesian numbers and the power of the primary', async () => {
    const { service, experimentId } = await simulated(ensureMetricPlan);
    expect(await service.getMetricPlan(experimentId)).toEqual(METRIC_PLAN);
    const readout = await readMetrics(service, experimentId, NOW);
    // The simulation's sweep concluded it (the panel then shows "decided", not days).
    expect(readout.status).toBe('concluded');
    // Bonferroni over 3 thresholded factors + 2 plan metrics, one treatment.
    expect(readout.alpha).toBeCloseTo(0.05 / 5, 12);
    expect(readout.rows.map((r) => [r.metric, r.role])).toEqual([
      ['checkout-conversion', 'primary'],
      ['checkout-errors', 'guardrail'],
      ['order-value', 'monitored'],
    ]);
    const [primary, guardrail, orderValue] = readout.rows;
    expect(primary?.comparisons[0]).toMatchObject({ significant: true, passesThreshold: true });
    expect(guardrail?.comparisons[0]?.guardrail).toBe('non_inferior');
    // The order value is a mean per order (delta method) in dollars: catalog prices, $18–$119.
    expect(orderValue?.comparisons[0]?.method).toBe('delta');
    for (const v of orderValue?.variants ?? []) {
      expect(v.value).toBeGreaterThanOrEqual(18);
      expect(v.value).toBeLessThanOrEqual(119);
    }
    for (const row of readout.rows)
      for (const c of row.comparisons) {
        expect(c.confidenceLevel).toBeCloseTo(1 - readout.alpha, 12);
        expect(c.bayesian?.chanceToBeatControl).toBeGreaterThanOrEqual(0);
        expect(c.bayesian?.chanceToBeatControl).toBeLessThanOrEqual(1);
      }
    // Express converts better: the readout is near-certain and shipping it risks little.
    expect(primary?.comparisons[0]?.bayesian?.chanceToBeatControl).toBeGreaterThan(0.99);

    // Power: from control's observed conversion, at the same α, and the traffic so far.
    const power = readout.power;
    expect(power).not.toBeNull();
    const control = (
      await service.getMetricStatistics({
        experimentId,
        metric: 'checkout-conversion',
        at: new Date(NOW).toISOString(),
      })
    ).find((s) => s.variantKey === 'control');
    const baseline = metricSummary(control as NonNullable<typeof control>);
    expect(power?.baseline).toBe(baseline.mean);
    expect(power?.variance).toBe(baseline.variance);
    expect(power?.requiredPerVariant).toBe(
      sampleSizePerVariant(POWER_MDE, { variance: baseline.variance, alpha: readout.alpha })
        .perVariant,
    );
    const assignments = await service.listAssignments({ experimentId });
    const perVariant = ['control', 'express'].map(
      (k) => assignments.filter((a) => a.variantKey === k).length,
    );
    expect(power?.usersPerVariantSoFar).toBe(Math.min(...perVariant));
    // Assignments span the simulated last day: roughly the smallest arm's size per day.
    expect(power?.usersPerVariantPerDay).toBeGreaterThanOrEqual(Math.min(...perVariant));
    expect(power?.remainingPerVariant).toBe(
      Math.max(0, (power?.requiredPerVariant ?? 0) - Math.min(...perVariant)),
    );
    expect(power?.remainingVisitors).toBe(2 * (power?.remainingPerVariant ?? 0));
    expect(power?.days).toBeCloseTo(
      (power?.remainingPerVariant ?? 0) / (power?.usersPerVariantPerDay ?? 1),
      9,
    );
  });

  it('shows a guardrail that truly regresses as breached, and governance flags it for review', async () => {
    // Attack: a guardrail that express really worsens (orders, read as lower-is-better).
    const { service, experimentId } = await simulated(async (s, id) => {
      await ensureMetricPlan(s, id);
      await s.defineMetric({
        name: 'orders-lower-better',
        kind: 'conversion',
        direction: 'lower',
        event: 'purchase',
      });
      await s.setMetricPlan(id, {
        ...METRIC_PLAN,
        guardrails: [{ metric: 'orders-lower-better', margin: 0.01, scale: 'absolute' }],
      });
    });
    const readout = await readMetrics(service, experimentId, NOW);
    const guard = readout.rows.find((r) => r.role === 'guardrail');
    expect(guard?.metric).toBe('orders-lower-better');
    expect(guard?.comparisons[0]?.guardrail).toBe('breached');
    const [entry] = await queryRecentGovernanceLog(service, 1);
    expect(entry?.verdict).toBe('flag_review');
    await runGovernanceSweep(service, { ...GOVERNANCE_OPTIONS, at: NOW });
    expect((await service.getExperiment(experimentId)).status).toBe('running');
  });

  it('has no power readout before control has a baseline, and says why', async () => {
    const database = createMemoryDatabase();
    const service = createMemoryStore({ database, role: 'service' });
    const experiment = await startExperiment(
      service,
      (await createExperiment(service, EXPERIMENT)).id,
    );
    await ensureMetricPlan(service, experiment.id);
    const readout = await readMetrics(service, experiment.id, NOW);
    expect(readout.status).toBe('running');
    expect(readout.power).toBeNull();
    expect(readout.powerNote).toMatch(/checkout-conversion needs at least 2 exposed control users/);
    expect(readout.rows.every((r) => r.comparisons.every((c) => c.bayesian === null))).toBe(true);
  });
});
