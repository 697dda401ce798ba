import { describe, expect, it } from 'vitest';
import type { FactoredEvent, NewSession } from '../../capture/types.js';
import { FACTOR_NAMES } from '../../factors/catalog.js';
import { queryFactorDelta, queryFactorHistory } from '../../factors/queries.js';
import type {
  ClusterAssignment,
  ComponentFactorAggregate,
  FactorName,
  FactorValue,
} from '../../factors/types.js';
import type { FactoredStore } from '../../store/contract.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import {
  FACTOR_FIXTURES,
  type FactorFixture,
  type FactorFixtureCheckpoint,
} from '../fixtures/factors/index.js';
import { testUuid } from '../harness.js';

/** Tolerance of floating-point comparisons: 1e-9, relative above 1. */
const TOLERANCE = 1e-9;

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected));
}

interface ExpectedValue {
  userId: string;
  path: string;
  factor: FactorName;
  value: number;
}

const FACTOR_ORDER = new Map(FACTOR_NAMES.map((name, i) => [name, i]));
const canonical = (a: ExpectedValue, b: ExpectedValue) =>
  a.userId !== b.userId
    ? a.userId < b.userId
      ? -1
      : 1
    : a.path !== b.path
      ? a.path < b.path
        ? -1
        : 1
      : (FACTOR_ORDER.get(a.factor) ?? 0) - (FACTOR_ORDER.get(b.factor) ?? 0);

/** The present values of a checkpoint, in the canonical order. */
function expectedValues(checkpoint: FactorFixtureCheckpoint): ExpectedValue[] {
  const out: ExpectedValue[] = [];
  for (const pair of checkpoint.factors) {
    for (const factor of FACTOR_NAMES) {
      const value = pair.values[factor];
      if (value !== null && value !== undefined)
        out.push({ userId: pair.userId, path: pair.path, factor, value });
    }
  }
  return out.sort(canonical);
}

const label = (v: { userId: string; path: string; factor: string }) =>
  `${v.userId} ${v.path} ${v.factor}`;

/** Asserts `actual` holds exactly `expected` (same rows, same order), values within tolerance. */
function expectValues(
  actual: readonly FactorValue[],
  expected: readonly ExpectedValue[],
  asOf: string,
  context: string,
): void {
  expect(actual.map(label), `${context}: rows`).toEqual(expected.map(label));
  actual.forEach((row, i) => {
    const want = expected[i] as ExpectedValue;
    expect(
      close(row.value, want.value),
      `${context}: ${label(row)} = ${row.value}, expected ${want.value}`,
    ).toBe(true);
    expect(row.asOf, `${context}: ${label(row)} asOf`).toBe(asOf);
  });
}

const AGGREGATE_FIELDS = ['mean', 'median', 'p95', 'min', 'max', 'stddev'] as const;

function expectAggregates(
  actual: readonly ComponentFactorAggregate[],
  expected: readonly Omit<ComponentFactorAggregate, 'asOf'>[],
  asOf: string,
  context: string,
): void {
  const key = (a: { path: string; factor: string }) => `${a.path} ${a.factor}`;
  const order = [...expected].sort((a, b) =>
    a.path !== b.path
      ? a.path < b.path
        ? -1
        : 1
      : (FACTOR_ORDER.get(a.factor) ?? 0) - (FACTOR_ORDER.get(b.factor) ?? 0),
  );
  expect(actual.map(key), `${context}: aggregate rows`).toEqual(order.map(key));
  actual.forEach((row, i) => {
    const want = order[i] as Omit<ComponentFactorAggregate, 'asOf'>;
    expect(row.userCount, `${context}: ${key(row)} userCount`).toBe(want.userCount);
    expect(row.asOf, `${context}: ${key(row)} asOf`).toBe(asOf);
    for (const field of AGGREGATE_FIELDS) {
      expect(
        close(row[field], want[field]),
        `${context}: ${key(row)} ${field} = ${row[field]}, expected ${want[field]}`,
      ).toBe(true);
    }
  });
}

async function loadFixture(store: FactoredStore, fixture: FactorFixture): Promise<void> {
  for (const session of fixture.sessions) await store.startSession(session);
  for (const batch of fixture.batches) await store.insertEvents(batch);
}

function windowOf(checkpoint: FactorFixtureCheckpoint): { asOf: string; windowMs?: number } {
  return checkpoint.windowMs === undefined
    ? { asOf: checkpoint.asOf }
    : { asOf: checkpoint.asOf, windowMs: checkpoint.windowMs };
}

function fixture(name: string): FactorFixture {
  const found = FACTOR_FIXTURES.find((f) => f.name === name);
  if (!found) throw new Error(`no factor fixture named ${name}`);
  return found;
}

const AS_OF = '2026-01-08T00:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A small scenario of its own: one user, one path, built from explicit times. */
function scenario(userN: number) {
  const userId = testUuid(0xfac7, userN);
  const session: NewSession = {
    id: testUuid(0xfac75e, userN),
    userId,
    startedAt: '2026-01-01T00:00:00.000Z',
    metadata: { platform: 'web' },
  };
  let n = 0;
  const event = (
    type: FactoredEvent['type'],
    createdAt: string,
    path = 'app/page/widget',
  ): FactoredEvent => {
    n += 1;
    return {
      id: testUuid(0xfac7e0 + userN, n),
      sessionId: session.id,
      userId,
      type,
      path,
      payload: {},
      createdAt,
    };
  };
  return { userId, session, event };
}

/** Factors capability conformance: shared fixtures, snapshots, aggregates, clusters, access. */
export function factorsConformance(ctx: SuiteContext): void {
  describe('factors: shared fixtures', () => {
    for (const fx of FACTOR_FIXTURES) {
      it(fx.name, async () => {
        const service = await ctx.service();
        await loadFixture(service, fx);
        const users = new Set<string>(fx.sessions.map((s) => s.userId));
        for (const checkpoint of fx.checkpoints) {
          const context = `${fx.name} @ ${checkpoint.asOf}`;
          const window = windowOf(checkpoint);
          const expected = expectedValues(checkpoint);
          expect(await service.recomputeFactors(window), `${context}: recompute counts`).toEqual({
            users: new Set(expected.map((v) => v.userId)).size,
            values: expected.length,
          });
          expectValues(await service.getFactors(), expected, checkpoint.asOf, context);
          for (const userId of users) {
            const own = expected.filter((v) => v.userId === userId);
            expectValues(await service.getFactors({ userId }), own, checkpoint.asOf, context);
            const userStore = await ctx.user(userId);
            expectValues(await userStore.getFactors(), own, checkpoint.asOf, `${context} (user)`);
          }
          expectAggregates(
            await service.getComponentAggregates(),
            checkpoint.aggregates,
            checkpoint.asOf,
            context,
          );
          expect(await service.snapshotFactors(window), `${context}: snapshot`).toEqual({
            values: expected.length,
            created: true,
          });
        }
        const since = (fx.checkpoints[0] as FactorFixtureCheckpoint).asOf;
        for (const userId of users) {
          const history = await service.getFactorHistory({ userId, since });
          const want = fx.checkpoints.flatMap((cp) =>
            expectedValues(cp)
              .filter((v) => v.userId === userId)
              .map((v) => ({ ...v, snapshotAt: cp.asOf })),
          );
          expect(
            history.map((h) => `${h.snapshotAt} ${label(h)}`),
            `${fx.name}: history rows`,
          ).toEqual(want.map((w) => `${w.snapshotAt} ${label(w)}`));
          history.forEach((h, i) => {
            const w = want[i] as ExpectedValue & { snapshotAt: string };
            expect(close(h.value, w.value), `${fx.name}: history ${label(h)}`).toBe(true);
            expect(h.asOf).toBe(h.snapshotAt);
          });
        }
      });
    }
  });

  describe('factors: current values', () => {
    it('are empty before any computation', async () => {
      const service = await ctx.service();
      expect(await service.getFactors()).toEqual([]);
      expect(await service.getComponentAggregates()).toEqual([]);
    });

    it('recomputeFactors replaces every previous current value', async () => {
      const service = await ctx.service();
      const { session, event } = scenario(1);
      await service.startSession(session);
      await service.insertEvents([event('click', '2026-01-05T10:00:00.000Z')]);
      expect(await service.recomputeFactors({ asOf: AS_OF })).toEqual({ users: 1, values: 6 });
      // 30 days later the click is outside the window: nothing is current any more.
      const later = iso(Date.parse(AS_OF) + 30 * DAY);
      expect(await service.recomputeFactors({ asOf: later })).toEqual({ users: 0, values: 0 });
      expect(await service.getFactors()).toEqual([]);
    });

    it('filters by user, path and factors, sorted by user, path, then catalog order', async () => {
      const service = await ctx.service();
      await loadFixture(service, fixture('several-users-and-paths'));
      await service.recomputeFactors({ asOf: AS_OF });
      const all = await service.getFactors();
      const sorted = [...all].sort(canonical);
      expect(all.map(label)).toEqual(sorted.map(label));
      const user1 = testUuid(0x75e4, 1);
      const onQ = await service.getFactors({ userId: user1, path: 'shop/catalog/grid/card' });
      expect(onQ.every((v) => v.userId === user1 && v.path === 'shop/catalog/grid/card')).toBe(
        true,
      );
      expect(onQ.length).toBeGreaterThan(0);
      const some = await service.getFactors({ factors: ['hesitation_ms', 'error_rate'] });
      expect(new Set(some.map((v) => v.factor))).toEqual(new Set(['hesitation_ms', 'error_rate']));
      expect(some.filter((v) => v.factor === 'hesitation_ms')).toHaveLength(6);
    });

    it('a user store sees only its own factors, history and snapshots', async () => {
      const service = await ctx.service();
      await loadFixture(service, fixture('several-users-and-paths'));
      await service.recomputeFactors({ asOf: AS_OF });
      await service.snapshotFactors({ asOf: AS_OF });
      const [user1, user2] = [testUuid(0x75e4, 1), testUuid(0x75e4, 2)];
      const store = await ctx.user(user1);
      const own = await store.getFactors();
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((v) => v.userId === user1)).toBe(true);
      expect(await store.getFactors({ userId: user2 })).toEqual([]);
      expect(await store.getFactorHistory({ userId: user2, since: AS_OF })).toEqual([]);
      expect(await store.getClosestSnapshot({ userId: user2, at: AS_OF })).toEqual([]);
      expect((await store.getFactorHistory({ userId: user1, since: AS_OF })).length).toBe(
        own.length,
      );
    });

    it('aggregates are readable by user stores once released and never cover fewer than 5 users', async () => {
      const service = await ctx.service();
      await loadFixture(service, fixture('below-aggregate-minimum'));
      await service.recomputeFactors({ asOf: AS_OF });
      const store = await ctx.user(testUuid(0x75e4, 1));
      // User stores read released aggregates only (DESIGN §15): nothing before a release.
      expect(await store.getComponentAggregates()).toEqual([]);
      await service.releaseStatistics({ at: AS_OF });
      const aggregates = await store.getComponentAggregates();
      expect(aggregates).toEqual(await service.getComponentAggregates());
      expect(aggregates.length).toBeGreaterThan(0);
      expect(aggregates.every((a) => a.userCount >= 5)).toBe(true);
      expect(aggregates.some((a) => a.factor === 'hesitation_ms')).toBe(false);
      expect(await store.getComponentAggregates({ path: 'shop/catalog/grid/card' })).toEqual([]);
      const one = await store.getComponentAggregates({
        path: 'shop/checkout/pay-form/submit',
        factors: ['drop_off_rate'],
      });
      expect(one.map((a) => [a.factor, a.userCount, a.mean])).toEqual([['drop_off_rate', 5, 1]]);
    });
  });

  describe('factors: snapshots', () => {
    it('are computed from the events as of their own time, not from the current values', async () => {
      const service = await ctx.service();
      const { userId, session, event } = scenario(2);
      await service.startSession(session);
      await service.insertEvents([
        event('click', '2026-01-02T00:00:00.000Z'),
        event('error', '2026-01-06T00:00:00.000Z'),
      ]);
      await service.recomputeFactors({ asOf: AS_OF });
      await service.snapshotFactors({ asOf: '2026-01-03T00:00:00.000Z' });
      const [snapshot] = await service.getClosestSnapshot({
        userId,
        at: '2026-01-03T00:00:00.000Z',
        factors: ['error_rate'],
      });
      expect(snapshot?.value).toBe(0);
      expect(snapshot?.snapshotAt).toBe('2026-01-03T00:00:00.000Z');
      const [current] = await service.getFactors({ userId, factors: ['error_rate'] });
      expect(current?.value).toBe(0.5);
    });

    it('are immutable: a second snapshot at the same time writes nothing', async () => {
      const service = await ctx.service();
      const { userId, session, event } = scenario(3);
      await service.startSession(session);
      await service.insertEvents([event('click', '2026-01-05T00:00:00.000Z')]);
      expect(await service.snapshotFactors({ asOf: AS_OF })).toEqual({ values: 6, created: true });
      await service.insertEvents([event('error', '2026-01-06T00:00:00.000Z')]);
      expect(await service.snapshotFactors({ asOf: AS_OF })).toEqual({
        values: 6,
        created: false,
      });
      const [errorRate] = await service.getFactorHistory({
        userId,
        since: AS_OF,
        factors: ['error_rate'],
      });
      expect(errorRate?.value).toBe(0);
      await service.recomputeFactors({ asOf: AS_OF });
      const [current] = await service.getFactors({ userId, factors: ['error_rate'] });
      expect(current?.value).toBe(0.5);
    });

    it('history is ordered by snapshotAt and bounded by since and until (inclusive)', async () => {
      const service = await ctx.service();
      const { userId, session, event } = scenario(4);
      await service.startSession(session);
      await service.insertEvents([
        event('click', '2026-01-05T00:00:00.000Z'),
        event('click', '2026-01-05T00:00:00.000Z', 'app/other'),
      ]);
      const times = ['2026-01-07T00:00:00.000Z', '2026-01-06T00:00:00.000Z', AS_OF];
      for (const asOf of times) await service.snapshotFactors({ asOf });
      const history = await service.getFactorHistory({
        userId,
        since: '2026-01-06T00:00:00.000Z',
        factors: ['retry_count'],
      });
      expect(history.map((h) => [h.snapshotAt, h.path])).toEqual([
        ['2026-01-06T00:00:00.000Z', 'app/other'],
        ['2026-01-06T00:00:00.000Z', 'app/page/widget'],
        ['2026-01-07T00:00:00.000Z', 'app/other'],
        ['2026-01-07T00:00:00.000Z', 'app/page/widget'],
        [AS_OF, 'app/other'],
        [AS_OF, 'app/page/widget'],
      ]);
      const bounded = await service.getFactorHistory({
        userId,
        path: 'app/page/widget',
        since: '2026-01-06T00:00:00.001Z',
        until: '2026-01-07T00:00:00.000Z',
        factors: ['retry_count'],
      });
      expect(bounded.map((h) => h.snapshotAt)).toEqual(['2026-01-07T00:00:00.000Z']);
    });

    it('closest snapshot: latest at or before `at` per (path, factor), `after` exclusive', async () => {
      const service = await ctx.service();
      const { userId, session, event } = scenario(5);
      await service.startSession(session);
      const impression = Date.parse('2026-01-05T10:00:00.000Z');
      await service.insertEvents([
        event('impression', iso(impression)),
        event('click', iso(impression + 100)),
      ]);
      const t1 = AS_OF;
      // At t2 the impression left the 7-day window but the click did not: no hesitation_ms.
      const t2 = iso(impression + 7 * DAY + 50);
      await service.snapshotFactors({ asOf: t1 });
      await service.snapshotFactors({ asOf: t2 });
      const pick = (rows: { factor: string; snapshotAt: string; value: number }[], f: string) =>
        rows.find((r) => r.factor === f);

      expect(await service.getClosestSnapshot({ userId, at: '2026-01-07T00:00:00.000Z' })).toEqual(
        [],
      );
      const atT1 = await service.getClosestSnapshot({ userId, at: t1 });
      expect(pick(atT1, 'hesitation_ms')).toMatchObject({ value: 100, snapshotAt: t1 });
      const between = await service.getClosestSnapshot({ userId, at: iso(Date.parse(t1) + DAY) });
      expect(between.every((r) => r.snapshotAt === t1)).toBe(true);
      const atT2 = await service.getClosestSnapshot({ userId, at: t2 });
      expect(pick(atT2, 'completion_rate')).toMatchObject({ value: 0, snapshotAt: t1 });
      expect(pick(atT2, 'hesitation_ms')).toMatchObject({ value: 100, snapshotAt: t1 });
      expect(pick(atT2, 'retry_count')).toMatchObject({ value: 0, snapshotAt: t2 });
      const afterT1 = await service.getClosestSnapshot({ userId, at: t2, after: t1 });
      expect(pick(afterT1, 'hesitation_ms')).toBeUndefined();
      expect(afterT1.every((r) => r.snapshotAt === t2)).toBe(true);
      expect(afterT1.map((r) => r.factor)).toEqual(
        FACTOR_NAMES.filter((f) => afterT1.some((r) => r.factor === f)),
      );
    });

    it('queryFactorHistory and queryFactorDelta read the snapshots through core', async () => {
      const service = await ctx.service();
      const { userId, session, event } = scenario(6);
      await service.startSession(session);
      await service.insertEvents([event('click', '2026-01-05T00:00:00.000Z')]);
      await service.snapshotFactors({ asOf: '2026-01-06T00:00:00.000Z' });
      await service.insertEvents([
        event('click', '2026-01-06T12:00:00.000Z'),
        event('error', '2026-01-06T13:00:00.000Z'),
      ]);
      await service.snapshotFactors({ asOf: AS_OF });
      const history = await queryFactorHistory(service, userId, 'app/page/widget', '2026-01-01', {
        factors: ['retry_count'],
      });
      expect(history.map((h) => h.value)).toEqual([0, 1]);
      const deltas = await queryFactorDelta(
        service,
        userId,
        'app/page/widget',
        '2026-01-06T06:00:00.000Z',
        new Date(AS_OF),
      );
      const retry = deltas.find((d) => d.factor === 'retry_count');
      expect(retry).toEqual({
        factor: 'retry_count',
        from: 0,
        to: 1,
        delta: 1,
        fromSnapshotAt: '2026-01-06T00:00:00.000Z',
        toSnapshotAt: AS_OF,
      });
      const error = deltas.find((d) => d.factor === 'error_rate');
      expect(error?.delta).toBeCloseTo(1 / 3, 12);
      const early = await queryFactorDelta(service, userId, 'app/page/widget', '2026-01-02', AS_OF);
      expect(early.find((d) => d.factor === 'retry_count')).toMatchObject({
        from: null,
        to: 1,
        delta: null,
      });
    });
  });

  describe('factors: clusters', () => {
    const assignment = (n: number, clusterId: number, distance = 0.5): ClusterAssignment => ({
      userId: testUuid(0xc1, n),
      clusterId,
      distance,
      computedAt: AS_OF,
    });

    it('stores assignments, reads a user cluster and members sorted by user id', async () => {
      const service = await ctx.service();
      await service.storeClusters([assignment(3, 1), assignment(1, 0, 0.25), assignment(2, 1)]);
      expect(await service.getUserCluster(testUuid(0xc1, 1))).toEqual(assignment(1, 0, 0.25));
      expect(await service.getUserCluster(testUuid(0xc1, 9))).toBeNull();
      expect((await service.getClusterMembers(1)).map((a) => a.userId)).toEqual([
        testUuid(0xc1, 2),
        testUuid(0xc1, 3),
      ]);
      expect(await service.getClusterMembers(7)).toEqual([]);
    });

    it('storeClusters replaces every previous assignment', async () => {
      const service = await ctx.service();
      await service.storeClusters([assignment(1, 0), assignment(2, 1)]);
      await service.storeClusters([assignment(2, 0)]);
      expect(await service.getUserCluster(testUuid(0xc1, 1))).toBeNull();
      expect((await service.getClusterMembers(0)).map((a) => a.userId)).toEqual([
        testUuid(0xc1, 2),
      ]);
    });

    it('a user store sees only its own assignment', async () => {
      const service = await ctx.service();
      await service.storeClusters([assignment(1, 0), assignment(2, 0)]);
      const store = await ctx.user(testUuid(0xc1, 1));
      expect(await store.getUserCluster(testUuid(0xc1, 1))).toEqual(assignment(1, 0));
      expect(await store.getUserCluster(testUuid(0xc1, 2))).toBeNull();
      expect((await store.getClusterMembers(0)).map((a) => a.userId)).toEqual([testUuid(0xc1, 1)]);
    });

    it('rejects malformed assignments and leaves the stored ones unchanged', async () => {
      const service = await ctx.service();
      await service.storeClusters([assignment(1, 0)]);
      const bad: unknown[] = [
        [{ ...assignment(2, 0), clusterId: -1 }],
        [{ ...assignment(2, 0), clusterId: 1.5 }],
        [{ ...assignment(2, 0), distance: Number.NaN }],
        [{ ...assignment(2, 0), computedAt: 'soon' }],
        [{ ...assignment(2, 0), userId: '' }],
        [assignment(2, 0), assignment(2, 1)],
      ];
      for (const assignments of bad)
        await expectCode(
          service.storeClusters(assignments as ClusterAssignment[]),
          'invalid_input',
        );
      expect(await service.getUserCluster(testUuid(0xc1, 1))).toEqual(assignment(1, 0));
      await expectCode(service.getClusterMembers(-1), 'invalid_input');
    });
  });

  describe('factors: access and input errors', () => {
    it('maintenance methods throw unauthorized for user stores', async () => {
      const store = await ctx.user(testUuid(0xfac7, 1));
      await expectCode(store.recomputeFactors({ asOf: AS_OF }), 'unauthorized');
      await expectCode(store.snapshotFactors({ asOf: AS_OF }), 'unauthorized');
      await expectCode(store.storeClusters([]), 'unauthorized');
    });

    it('a window whose asOf is not a date, or whose length is not positive, is invalid_input', async () => {
      const service = await ctx.service();
      for (const asOf of ['yesterday', '', '2026-13-45T00:00:00.000Z'])
        await expectCode(service.recomputeFactors({ asOf }), 'invalid_input');
      await expectCode(
        service.recomputeFactors({ asOf: null as unknown as string }),
        'invalid_input',
      );
      for (const windowMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
        await expectCode(service.recomputeFactors({ asOf: AS_OF, windowMs }), 'invalid_input');
      await expectCode(service.snapshotFactors({ asOf: 'not a date' }), 'invalid_input');
    });

    it('an unknown factor, a bad path or a bad time in a query is invalid_input', async () => {
      const service = await ctx.service();
      const userId = testUuid(0xfac7, 1);
      const bogus = ['bogus_rate'] as unknown as FactorName[];
      await expectCode(service.getFactors({ factors: bogus }), 'invalid_input');
      await expectCode(service.getFactors({ path: '' }), 'invalid_input');
      await expectCode(service.getFactors({ path: 'a/b/c/d/e' }), 'invalid_input');
      await expectCode(service.getComponentAggregates({ factors: bogus }), 'invalid_input');
      await expectCode(service.getFactorHistory({ userId, since: 'last week' }), 'invalid_input');
      await expectCode(
        service.getFactorHistory({ userId, since: AS_OF, factors: bogus }),
        'invalid_input',
      );
      await expectCode(service.getClosestSnapshot({ userId, at: 'now-ish' }), 'invalid_input');
      await expectCode(
        service.getClosestSnapshot({ userId, at: AS_OF, after: 'x' }),
        'invalid_input',
      );
    });
  });
}
