import { describe, expect, it } from 'vitest';
import type { FactoredEvent } from '../../capture/types.js';
import { runGovernanceCheck, runGovernanceSweep } from '../../governance/check.js';
import { computeMetricStatistics } from '../../metrics/engine.js';
import type { MetricDefinition } from '../../metrics/types.js';
import { normalizeMetricDefinition } from '../../metrics/validate.js';
import type { FactoredStore } from '../../store/contract.js';
import type { JsonObject } from '../../util/json.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { METRIC_FIXTURE_DATA, METRIC_FIXTURES } from '../fixtures/metrics/index.js';
import { TEST_USERS, testUuid } from '../harness.js';

const T = Date.parse('2026-01-05T10:00:00.000Z');
const HOUR = 3_600_000;
const hours = (h: number) => new Date(T + h * HOUR).toISOString();
const userOf = (name: string) => testUuid(0x3e7c, Number(name.slice(1)));

const CONVERSION: MetricDefinition = {
  name: 'checkout-conversion',
  description: 'Purchased within a day of first seeing the experiment.',
  kind: 'conversion',
  direction: 'higher',
  event: 'purchase',
  path: 'shop/checkout',
  windowMs: 86_400_000,
};

/** Seeds the shared fixture data into a fresh experiment and returns it. */
async function seedFixture(service: FactoredStore) {
  const draft = await service.insertExperiment({
    name: 'metric-fixtures',
    description: 'metric conformance fixtures',
    path: 'shop/checkout',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: 'metric-fixtures',
  });
  const experiment = await service.transitionExperiment(draft.id, {
    from: 'draft',
    to: 'running',
  });
  const data = METRIC_FIXTURE_DATA;
  for (const a of data.assignments)
    await service.recordAssignment({
      userId: userOf(a.user),
      experimentId: experiment.id,
      variantKey: a.variantKey,
      assignedAt: hours(a.hours),
    });
  for (const x of data.exposures) {
    const variantKey = data.assignments.find((a) => a.user === x.user)?.variantKey as string;
    await service.recordExposure({
      userId: userOf(x.user),
      experimentId: experiment.id,
      variantKey,
      sessionId: x.session,
      exposedAt: hours(x.hours),
    });
  }
  const users = [...new Set(data.events.map((e) => e.user))];
  for (const [i, name] of users.entries())
    await service.startSession({
      id: testUuid(0x3e55, i + 1),
      userId: userOf(name),
      startedAt: hours(0),
      metadata: { platform: 'web' },
    });
  const events: FactoredEvent[] = data.events.map((e, i) => ({
    id: testUuid(0x3e7e, i + 1),
    sessionId: testUuid(0x3e55, users.indexOf(e.user) + 1),
    userId: userOf(e.user),
    type: e.type,
    path: e.path,
    payload:
      e.type === 'custom'
        ? ({ name: e.name as string, properties: { ...e.properties } } as JsonObject)
        : {},
    createdAt: hours(e.hours),
  }));
  await service.insertEvents(events);
  return experiment;
}

/**
 * Every number in the logged metrics of a governance log row other than the plan's settings
 * (version, minimum effect, margin): must be none (DESIGN §15, metrics are not released).
 */
function metricNumbers(entry: { metrics?: unknown }): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') {
      if (!/^\[\d+\]\.(version|minimumEffect\.value|margin\.value)$/.test(path))
        found.push(`${path}=${value}`);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, `${path}${path ? '.' : ''}${k}`);
  };
  walk(entry.metrics ?? [], '');
  return found;
}

/** Metric definitions (versioned data) and metric statistics (the named fixtures). */
export function metricsConformance(ctx: SuiteContext): void {
  describe('metrics', () => {
    it('defines versions: 1 for a new name, the same version for the same definition, +1 for a change', async () => {
      const service = await ctx.service();
      const v1 = await service.defineMetric(CONVERSION);
      expect(v1).toMatchObject({ ...normalizeMetricDefinition(CONVERSION), version: 1 });
      expect(Number.isFinite(Date.parse(v1.createdAt))).toBe(true);
      expect(await service.defineMetric({ ...CONVERSION })).toEqual(v1);
      const v2 = await service.defineMetric({ ...CONVERSION, windowMs: 3_600_000 });
      expect(v2).toMatchObject({ version: 2, windowMs: 3_600_000 });
      await service.defineMetric({
        name: 'a-count',
        kind: 'count',
        direction: 'lower',
        event: 'error',
      });
      expect((await service.listMetrics()).map((m) => [m.name, m.version])).toEqual([
        ['a-count', 1],
        ['checkout-conversion', 2],
      ]);
      const all = await service.listMetrics({ name: 'checkout-conversion', allVersions: true });
      expect(all).toEqual([v1, v2]);
      expect(await service.listMetrics({ name: 'unknown' })).toEqual([]);
    });

    it('users read definitions but cannot define metrics or read metric statistics', async () => {
      const service = await ctx.service();
      const stored = await service.defineMetric(CONVERSION);
      const alice = await ctx.user(TEST_USERS.alice);
      expect(await alice.listMetrics()).toEqual([stored]);
      await expectCode(alice.defineMetric({ ...CONVERSION, name: 'mine' }), 'unauthorized');
      const experiment = await seedFixture(service);
      await expectCode(
        alice.getMetricStatistics({
          experimentId: experiment.id,
          metric: CONVERSION.name,
          at: hours(48),
        }),
        'unauthorized',
      );
      expect(await service.listMetrics()).toEqual([stored]);
    });

    it('refuses malformed definitions with invalid_input', async () => {
      const service = await ctx.service();
      const bad: unknown[] = [
        { ...CONVERSION, name: 'Has Caps' },
        { ...CONVERSION, kind: 'median' },
        { ...CONVERSION, direction: 'up' },
        { ...CONVERSION, event: '' },
        { ...CONVERSION, path: 'a//b' },
        { ...CONVERSION, windowMs: -1 },
        { ...CONVERSION, windowMs: 1.5 },
        { ...CONVERSION, cap: 10 },
        { ...CONVERSION, kind: 'sum' },
        { ...CONVERSION, property: 'revenue' },
        { ...CONVERSION, kind: 'ratio' },
        {
          name: 'r',
          kind: 'ratio',
          direction: 'higher',
          numerator: { kind: 'sum', event: 'purchase' },
          denominator: { kind: 'count', event: 'submit' },
        },
        { ...CONVERSION, kind: 'count', cap: 0 },
      ];
      for (const definition of bad)
        await expectCode(service.defineMetric(definition as MetricDefinition), 'invalid_input');
      expect(await service.listMetrics()).toEqual([]);
    });

    it('throws not_found for an unknown experiment, metric or version', async () => {
      const service = await ctx.service();
      await service.defineMetric(CONVERSION);
      const experiment = await seedFixture(service);
      const query = { experimentId: experiment.id, metric: CONVERSION.name, at: hours(48) };
      await expectCode(
        service.getMetricStatistics({ ...query, experimentId: testUuid(0xdead, 1) }),
        'not_found',
      );
      await expectCode(service.getMetricStatistics({ ...query, metric: 'nope' }), 'not_found');
      await expectCode(service.getMetricStatistics({ ...query, version: 2 }), 'not_found');
      await expectCode(service.getMetricStatistics({ ...query, at: 'yesterday' }), 'invalid_input');
    });

    it('stores one metric plan per experiment: service sets, every role reads, finished ones are frozen', async () => {
      const service = await ctx.service();
      const experiment = await seedFixture(service);
      expect(await service.getMetricPlan(experiment.id)).toBeNull();
      const plan = {
        primary: { metric: 'purchase-conversion', minimumEffect: 0.01, scale: 'absolute' as const },
        guardrails: [{ metric: 'revenue', margin: 0.02, scale: 'relative' as const }],
      };
      await service.setMetricPlan(experiment.id, plan);
      const replaced = { primary: null, guardrails: [{ metric: 'revenue', margin: 0.05 }] };
      expect(await service.setMetricPlan(experiment.id, replaced)).toEqual(replaced);
      const alice = await ctx.user(TEST_USERS.alice);
      expect(await alice.getMetricPlan(experiment.id)).toEqual(replaced);
      await expectCode(alice.setMetricPlan(experiment.id, plan), 'unauthorized');
      for (const bad of [
        { primary: { metric: '' }, guardrails: [] },
        { primary: null, guardrails: [{ metric: 'revenue', margin: -0.1 }] },
        { primary: null },
        { primary: { metric: 'x', minimumEffect: Number.NaN }, guardrails: [] },
      ])
        await expectCode(
          service.setMetricPlan(experiment.id, bad as unknown as typeof plan),
          'invalid_input',
        );
      await expectCode(service.setMetricPlan(testUuid(0xdead, 2), plan), 'not_found');
      await expectCode(service.getMetricPlan(testUuid(0xdead, 2)), 'not_found');
      await service.transitionExperiment(experiment.id, {
        from: 'running',
        to: 'concluded',
        winner: 'treatment',
      });
      await expectCode(service.setMetricPlan(experiment.id, plan), 'conflict');
      expect(await service.getMetricPlan(experiment.id)).toEqual(replaced);
    });

    it('governance uses the stored metric plan and logs every metric of it as flags, its numbers only in the returned evaluation', async () => {
      const service = await ctx.service();
      const [conversion, revenue] = [METRIC_FIXTURES[0], METRIC_FIXTURES[2]];
      if (!conversion || !revenue) throw new Error('metric fixtures missing');
      await service.defineMetric(conversion.metric);
      await service.defineMetric(revenue.metric);
      const experiment = await seedFixture(service);
      const plan = {
        primary: { metric: conversion.metric.name },
        guardrails: [{ metric: revenue.metric.name, margin: 0.05 }],
      };
      expect(await service.setMetricPlan(experiment.id, plan)).toEqual(plan);
      const { entry, evaluation, concluded } = await runGovernanceCheck(service, experiment.id, {
        at: hours(METRIC_FIXTURE_DATA.evaluatedAtHours),
        minSamplePerVariant: 2,
      });
      expect(concluded).toBe(false);
      expect(entry.metrics?.map((m) => [m.role, m.metric, m.version])).toEqual([
        ['primary', conversion.metric.name, 1],
        ['guardrail', revenue.metric.name, 1],
      ]);
      expect(evaluation.metrics?.[1]?.variants).toEqual([
        { variantKey: 'control', assigned: 3, n: 2, value: 42.5 / 2 },
        { variantKey: 'treatment', assigned: 3, n: 3, value: 207.25 / 3 },
      ]);
      expect(entry.metrics?.[1]).toEqual({
        role: 'guardrail',
        metric: revenue.metric.name,
        version: 1,
        kind: revenue.metric.kind,
        direction: revenue.metric.direction,
        minimumEffect: null,
        margin: { value: 0.05, scale: 'relative' },
        comparisons: [
          {
            variantKey: 'treatment',
            controlKey: 'control',
            significant: evaluation.metrics?.[1]?.comparisons[0]?.significant,
            outcome: evaluation.metrics?.[1]?.comparisons[0]?.outcome,
            passesThreshold: false,
            guardrail: evaluation.metrics?.[1]?.comparisons[0]?.guardrail,
          },
        ],
      });
      expect(metricNumbers(entry)).toEqual([]);
      const [logged] = await service.listGovernanceLog({ experimentId: experiment.id });
      expect(logged).toEqual(entry);
      // A service that bypasses logGovernanceVerdict cannot log metric numbers either.
      await expectCode(
        service.appendGovernanceLog({
          ...entry,
          id: testUuid(0x3e10, 1),
          metrics: evaluation.metrics,
        } as unknown as typeof entry),
        'invalid_input',
      );
    });

    it('attack: two sweeps around 1..4 new exposed users with metric events log no metric number that differences them', async () => {
      const service = await ctx.service();
      const [conversion, revenue] = [METRIC_FIXTURES[0], METRIC_FIXTURES[2]];
      if (!conversion || !revenue) throw new Error('metric fixtures missing');
      await service.defineMetric(conversion.metric);
      await service.defineMetric(revenue.metric);
      const experiment = await seedFixture(service);
      await service.setMetricPlan(experiment.id, {
        primary: { metric: conversion.metric.name },
        guardrails: [{ metric: revenue.metric.name, margin: 0.05 }],
      });
      const alice = await ctx.user(TEST_USERS.alice);
      const before = await runGovernanceSweep(service, { at: hours(48), minSamplePerVariant: 2 });
      expect(before.failures).toEqual([]);
      let previous = before.results.find((r) => r.entry.experimentId === experiment.id);
      for (let k = 1; k <= 4; k++) {
        // k new users in treatment, exposed, each buying once (revenue 1000).
        for (let i = 0; i < k; i++) {
          const index = 100 + k * 10 + i;
          const userId = testUuid(0x3e7c, index);
          const sessionId = testUuid(0x3e56, index);
          await service.recordAssignment({
            userId,
            experimentId: experiment.id,
            variantKey: 'treatment',
            assignedAt: hours(48 + k),
          });
          await service.recordExposure({
            userId,
            experimentId: experiment.id,
            variantKey: 'treatment',
            sessionId: `s-${index}`,
            exposedAt: hours(48 + k + 0.1),
          });
          await service.startSession({
            id: sessionId,
            userId,
            startedAt: hours(48 + k),
            metadata: { platform: 'web' },
          });
          await service.insertEvents([
            {
              id: testUuid(0x3e7f, index),
              sessionId,
              userId,
              type: 'custom',
              path: 'shop/checkout',
              payload: { name: 'purchase', properties: { revenue: 1000 } },
              createdAt: hours(48 + k + 0.2),
            },
          ]);
        }
        const sweep = await runGovernanceSweep(service, {
          at: hours(48 + k + 0.5),
          minSamplePerVariant: 2,
        });
        expect(sweep.failures).toEqual([]);
        const current = sweep.results.find((r) => r.entry.experimentId === experiment.id);
        if (!previous || !current) throw new Error('the sweep governed no experiment');
        // The exact numbers moved by k users: logging them would difference those users.
        const n = (r: typeof current) =>
          r.evaluation.metrics?.[1]?.variants.find((v) => v.variantKey === 'treatment')?.n;
        expect((n(current) ?? 0) - (n(previous) ?? 0)).toBe(k);
        // What a signed-in user reads holds no metric number at all.
        const read = await alice.listGovernanceLog({ experimentId: experiment.id });
        expect(read.map((r) => r.id)).toContain(current.entry.id);
        for (const row of read) expect(metricNumbers(row)).toEqual([]);
        for (const r of [previous, current]) {
          const variants = r.evaluation.metrics?.flatMap((m) => m.variants) ?? [];
          for (const v of variants) expect(r.entry.reason).not.toContain(`has ${v.n}`);
        }
        previous = current;
      }
    });

    for (const fixture of METRIC_FIXTURES) {
      it(`metric fixture: ${fixture.name}`, async () => {
        const service = await ctx.service();
        const stored = await service.defineMetric(fixture.metric);
        const experiment = await seedFixture(service);
        const at = hours(METRIC_FIXTURE_DATA.evaluatedAtHours);
        const rows = await service.getMetricStatistics({
          experimentId: experiment.name,
          metric: fixture.metric.name,
          at,
        });
        expect(rows).toEqual([
          { variantKey: 'control', ...fixture.expected[0] },
          { variantKey: 'treatment', ...fixture.expected[1] },
        ]);
        // The reference engine over what the store holds gives the same numbers.
        expect(
          computeMetricStatistics({
            metric: stored,
            variantKeys: ['control', 'treatment'],
            assignments: await service.listAssignments({ experimentId: experiment.id }),
            exposures: await service.listExposures({ experimentId: experiment.id }),
            events: await service.listEvents(),
            at,
          }),
        ).toEqual(rows);
        // Pinned versions keep their numbers after the metric changes.
        await service.defineMetric({ ...fixture.metric, description: 'changed' });
        expect(
          await service.getMetricStatistics({
            experimentId: experiment.id,
            metric: fixture.metric.name,
            version: 1,
            at,
          }),
        ).toEqual(rows);
      });
    }
  });
}
