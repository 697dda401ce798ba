import { describe, expect, it } from 'vitest';
import type { FactoredEvent, NewSession } from '../../capture/types.js';
import type { ComponentFactorAggregate } from '../../factors/types.js';
import { CONTROL_KEY } from '../../governance/analysis.js';
import type { FactoredStore } from '../../store/contract.js';
import type { UserDataExport } from '../../store/lifecycle.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { testUuid } from '../harness.js';

const PATH = 'shop/account/profile/save';
const OTHER_PATH = 'shop/account/orders/list';
const T = Date.parse('2026-05-04T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (hours: number, minutes = 0) =>
  new Date(T + hours * HOUR + minutes * 60_000).toISOString();
const user = (n: number) => testUuid(0x11fe, n);
const sessionOf = (n: number, k = 1) => testUuid(0x5e55, n * 100 + k);

/** Users 1..7 on PATH (1..5 also on OTHER_PATH), an experiment, factors, snapshots, releases. */
async function seedPopulation(service: FactoredStore): Promise<void> {
  let eventNo = 0;
  for (let n = 1; n <= 7; n += 1) {
    const session: NewSession = {
      id: sessionOf(n),
      userId: user(n),
      startedAt: at(0),
      metadata: { platform: 'web', note: `user ${user(n)}` },
    };
    await service.startSession(session);
    const events: FactoredEvent[] = [];
    const add = (path: string, type: FactoredEvent['type'], minute: number) => {
      eventNo += 1;
      events.push({
        id: testUuid(0xe7e, eventNo),
        sessionId: session.id,
        userId: user(n),
        type,
        path,
        payload: { by: user(n), session: session.id },
        createdAt: at(0, minute),
      });
    };
    add(PATH, 'click', 10);
    for (let r = 0; r < n % 3; r += 1) add(PATH, 'rage_click', 11 + r);
    if (n <= 5) add(OTHER_PATH, 'click', 20);
    await service.insertEvents(events);
  }
  const draft = await service.insertExperiment({
    name: 'lifecycle-profile',
    description: 'lifecycle conformance',
    path: PATH,
    variants: [
      { key: CONTROL_KEY, weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: 'lifecycle-profile',
  });
  const experiment = await service.transitionExperiment(draft.id, {
    from: 'draft',
    to: 'running',
  });
  for (let n = 1; n <= 7; n += 1) {
    const variantKey = n <= 6 ? CONTROL_KEY : 'treatment';
    await service.recordAssignment({
      userId: user(n),
      experimentId: experiment.id,
      variantKey,
      assignedAt: at(0, 5),
    });
    await service.recordExposure({
      userId: user(n),
      experimentId: experiment.id,
      variantKey,
      sessionId: sessionOf(n),
      exposedAt: at(0, 6),
    });
  }
  await service.recomputeFactors({ asOf: at(1) });
  await service.snapshotFactors({ asOf: at(1), windowMs: 2 * HOUR });
  await service.storeClusters(
    Array.from({ length: 7 }, (_, i) => ({
      userId: user(i + 1),
      clusterId: i % 2,
      distance: 0.5,
      computedAt: at(1),
    })),
  );
  await service.releaseStatistics({ at: at(1) });
}

/** The export without its clock, for comparing two exports of one user. */
const timeless = ({ exportedAt: _, ...rest }: UserDataExport) => rest;

export function lifecycleConformance(ctx: SuiteContext): void {
  describe('data lifecycle (DESIGN §19)', () => {
    it('only the service role may export, erase, list erasures or prune; a refused erase changes nothing', async () => {
      const service = await ctx.service();
      await seedPopulation(service);
      const before = timeless(await service.exportUser(user(1)));
      const stores = [await ctx.user(user(1)), await ctx.user(user(2))];
      const anon = await ctx.harness().anon?.();
      if (anon) stores.push(anon);
      for (const store of stores) {
        await expectCode(store.eraseUser(user(1)), 'unauthorized');
        await expectCode(store.exportUser(user(1)), 'unauthorized');
        await expectCode(store.listErasures(), 'unauthorized');
        await expectCode(store.pruneEvents({ asOf: at(1000), retentionDays: 1 }), 'unauthorized');
      }
      expect(timeless(await service.exportUser(user(1)))).toEqual(before);
      expect(await service.listErasures()).toEqual([]);
      expect(await service.listEvents({ userId: user(1) })).toHaveLength(before.counts.events);
      await expectCode(service.eraseUser(''), 'invalid_input');
      await expectCode(service.exportUser('x'.repeat(257)), 'invalid_input');
      await expectCode(service.listErasures({ limit: 0 }), 'invalid_input');
    });

    it('exportUser returns every row of the user, as the read methods return them', async () => {
      const service = await ctx.service();
      await seedPopulation(service);
      const A = user(1);
      const data = await service.exportUser(A);
      expect(data.format).toBe('factoredui.user-export.v1');
      expect(data.userId).toBe(A);
      expect(Number.isNaN(Date.parse(data.exportedAt))).toBe(false);
      expect(data.sessions).toEqual(await service.listSessions({ userId: A }));
      expect(data.events).toEqual(await service.listEvents({ userId: A }));
      expect(data.factors).toEqual(await service.getFactors({ userId: A }));
      expect(data.factorSnapshots).toEqual(
        await service.getFactorHistory({ userId: A, since: at(-1000) }),
      );
      expect(data.clusters).toEqual([await service.getUserCluster(A)]);
      expect(data.assignments).toEqual(await service.listAssignments({ userId: A }));
      expect(data.exposures).toEqual(await service.listExposures({ userId: A }));
      // User 1 is in the published control row and in both published aggregates.
      expect(data.releaseCohorts).toContainEqual({
        kind: 'aggregates',
        path: PATH,
        factor: 'rage_click_count',
      });
      expect(data.releaseCohorts.some((c) => c.kind === 'statistics')).toBe(true);
      for (const [table, count] of Object.entries(data.counts)) {
        expect(data[table as keyof typeof data.counts], table).toHaveLength(count);
        if (table !== 'clusters') expect(count, table).toBeGreaterThan(0);
      }
      expect(data.counts.clusters).toBe(1);
      // JSON, as promised: it survives a round trip unchanged.
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
      // A user the store never saw: an empty export, not an error.
      const nobody = await service.exportUser('nobody-at-all');
      expect(Object.values(nobody.counts).every((c) => c === 0)).toBe(true);
    });

    it('after eraseUser(A) nothing of A is returned or stored anywhere; B is unchanged; releases stay k-anonymous', async () => {
      const service = await ctx.service();
      await seedPopulation(service);
      const A = user(1);
      const B = user(2);
      const reader = await ctx.user(user(3));
      const exportA = await service.exportUser(A);
      const exportB = timeless(await service.exportUser(B));
      const releasedBefore = await reader.getComponentAggregates();
      const experiment = await service.getExperiment('lifecycle-profile');
      const statsBefore = await reader.getSufficientStatistics({
        experimentId: experiment.id,
        factor: 'rage_click_count',
        at: at(1),
      });
      // Published before the erasure: OTHER_PATH with exactly 5 users, A among them.
      expect(
        releasedBefore.find((a) => a.path === OTHER_PATH && a.factor === 'rage_click_count')
          ?.userCount,
      ).toBe(5);

      const record = await service.eraseUser(A);

      // The audit entry: counts equal to the export, no raw id, a salted hash.
      expect(record.counts).toEqual(exportA.counts);
      expect(record.source).toBe('service');
      expect(record.subjectHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(record)).not.toContain(A);
      expect(await service.listErasures()).toEqual([record]);
      expect(await service.listErasures({ userId: A })).toEqual([record]);
      expect(await service.listErasures({ userId: B })).toEqual([]);

      // Nothing of A through any method, as the service or as A.
      const asA = await ctx.user(A);
      for (const store of [service, asA]) {
        expect(await store.listSessions({ userId: A })).toEqual([]);
        await expectCode(store.getSession(sessionOf(1)), 'not_found');
        expect(await store.listEvents({ userId: A })).toEqual([]);
        expect(await store.listEvents({ sessionId: sessionOf(1) })).toEqual([]);
        expect(await store.getFactors({ userId: A })).toEqual([]);
        expect(await store.getFactorHistory({ userId: A, since: at(-1000) })).toEqual([]);
        expect(await store.getClosestSnapshot({ userId: A, at: at(1000) })).toEqual([]);
        expect(await store.getUserCluster(A)).toBeNull();
        expect(await store.listAssignments({ userId: A })).toEqual([]);
        expect(await store.listExposures({ userId: A })).toEqual([]);
      }
      const everything = JSON.stringify([
        await service.listSessions(),
        await service.listEvents(),
        await service.getFactors(),
        await service.getClusterMembers(0),
        await service.getClusterMembers(1),
        await service.listAssignments(),
        await service.listExposures(),
        await service.listErasures(),
      ]);
      expect(everything).not.toContain(A);
      expect(everything).not.toContain(sessionOf(1));
      const emptied = await service.exportUser(A);
      expect(Object.values(emptied.counts).every((c) => c === 0)).toBe(true);

      // Nothing of A in any table of the store (every column, as stored).
      const tables = JSON.stringify(await ctx.harness().tables());
      expect(tables).not.toContain(A);
      expect(tables).not.toContain(sessionOf(1));
      expect(tables).toContain(record.subjectHash);

      // B is untouched.
      expect(timeless(await service.exportUser(B))).toEqual(exportB);

      // Aggregates: the live numbers never show fewer than 5 users (OTHER_PATH now has 4)...
      const live = await service.getComponentAggregates();
      expect(live.filter((a) => a.path === OTHER_PATH)).toEqual([]);
      for (const a of live) expect(a.userCount).toBeGreaterThanOrEqual(5);
      // ...and the next release does not difference A out of the published ones: every
      // released aggregate is the earlier one, or differs from it by at least 5 users.
      await service.recomputeFactors({ asOf: at(2) });
      await service.snapshotFactors({ asOf: at(2), windowMs: 3 * HOUR });
      await service.releaseStatistics({ at: at(2) });
      const releasedAfter = await reader.getComponentAggregates();
      const sameGroup = (a: ComponentFactorAggregate) => (b: ComponentFactorAggregate) =>
        a.path === b.path && a.factor === b.factor;
      for (const after of releasedAfter) {
        expect(after.userCount).toBeGreaterThanOrEqual(5);
        const earlier = releasedBefore.find(sameGroup(after));
        if (earlier && Math.abs(earlier.userCount - after.userCount) < 5) {
          expect(after).toEqual(earlier);
        }
      }
      expect(
        await reader.getSufficientStatistics({
          experimentId: experiment.id,
          factor: 'rage_click_count',
          at: at(2),
        }),
      ).toEqual(statsBefore);
      // Still nothing of A after the recompute, snapshot and release.
      expect(JSON.stringify(await ctx.harness().tables())).not.toContain(A);
    });

    it('erasing a user with no data still writes an audit entry; entries list newest first', async () => {
      const service = await ctx.service();
      const first = await service.eraseUser('someone-never-seen');
      expect(Object.values(first.counts).every((c) => c === 0)).toBe(true);
      const second = await service.eraseUser('someone-else');
      expect(await service.listErasures()).toEqual([second, first]);
      expect(await service.listErasures({ limit: 1 })).toEqual([second]);
      expect(first.subjectHash).not.toBe(second.subjectHash);
      expect(await service.listErasures({ userId: 'someone-never-seen' })).toEqual([first]);
    });

    it('requestErasure queues the own user only, once; processErasureRequests erases exactly the requesters', async () => {
      const service = await ctx.service();
      await seedPopulation(service);
      const A = user(1);
      const B = user(2);
      const exportA = await service.exportUser(A);
      const exportB = timeless(await service.exportUser(B));
      const asA = await ctx.user(A);
      const first = await asA.requestErasure();
      expect(Number.isNaN(Date.parse(first.requestedAt))).toBe(false);
      // One pending request per user: asking again changes nothing.
      expect(await asA.requestErasure()).toEqual(first);
      await expectCode(service.requestErasure(), 'unauthorized');
      const anon = await ctx.harness().anon?.();
      if (anon) await expectCode(anon.requestErasure(), 'unauthorized');
      await expectCode(asA.processErasureRequests(), 'unauthorized');
      await expectCode(service.processErasureRequests({ limit: 0 }), 'invalid_input');
      // Nothing happens before the service processes the queue.
      expect(timeless(await service.exportUser(A)).counts).toEqual(exportA.counts);

      const records = await service.processErasureRequests();
      expect(records).toHaveLength(1);
      expect(records[0]?.source).toBe('user_request');
      expect(records[0]?.counts).toEqual(exportA.counts);
      expect(await service.listErasures({ userId: A })).toEqual(records);
      expect(timeless(await service.exportUser(B))).toEqual(exportB);
      expect(await service.processErasureRequests()).toEqual([]);
      const tables = JSON.stringify(await ctx.harness().tables());
      expect(tables).not.toContain(A);
      expect(tables).not.toContain(sessionOf(1));

      // A service erasure satisfies a pending request: nothing of B is left queued either.
      await (await ctx.user(B)).requestErasure();
      await service.eraseUser(B);
      expect(JSON.stringify(await ctx.harness().tables())).not.toContain(B);
      expect(await service.processErasureRequests()).toEqual([]);
    });

    it('pruneEvents removes raw events older than the retention (as of a time) and keeps factors and snapshots', async () => {
      const service = await ctx.service();
      const A = user(1);
      const old: NewSession = {
        id: sessionOf(1, 1),
        userId: A,
        startedAt: at(0),
        metadata: { platform: 'web' },
      };
      const mixed: NewSession = {
        id: sessionOf(1, 2),
        userId: A,
        startedAt: at(1),
        metadata: { platform: 'web' },
      };
      await service.startSession(old);
      await service.startSession(mixed);
      const ev = (n: number, session: NewSession, createdAt: string): FactoredEvent => ({
        id: testUuid(0xe7f, n),
        sessionId: session.id,
        userId: A,
        type: 'click',
        path: PATH,
        payload: {},
        createdAt,
      });
      await service.insertEvents([
        ev(1, old, at(0, 10)),
        ev(2, mixed, at(1, 10)),
        ev(3, mixed, at(10 * 24 + 5)),
      ]);
      await service.recomputeFactors({ asOf: at(2) });
      await service.snapshotFactors({ asOf: at(2), windowMs: 3 * HOUR });
      const factors = await service.getFactors({ userId: A });
      const snapshots = await service.getFactorHistory({ userId: A, since: at(-1) });
      expect(factors.length).toBeGreaterThan(0);

      await expectCode(service.pruneEvents({ asOf: at(0) }), 'invalid_input');
      await expectCode(service.pruneEvents({ asOf: at(0), retentionDays: 0 }), 'invalid_input');
      await expectCode(
        service.pruneEvents({ asOf: 'yesterday', retentionDays: 1 }),
        'invalid_input',
      );
      // Cutoff at(1): event 1 and the old session go; the session started exactly at(1) stays.
      const asOf = new Date(T + HOUR + 10 * DAY).toISOString();
      const result = await service.pruneEvents({ asOf, retentionDays: 10 });
      expect(result).toEqual({ cutoff: at(1), retentionDays: 10, events: 1, sessions: 1 });
      expect((await service.listEvents({ userId: A })).map((e) => e.id)).toEqual([
        testUuid(0xe7f, 2),
        testUuid(0xe7f, 3),
      ]);
      expect((await service.listSessions({ userId: A })).map((s) => s.id)).toEqual([mixed.id]);
      // Factors and snapshots computed before are intact.
      expect(await service.getFactors({ userId: A })).toEqual(factors);
      expect(await service.getFactorHistory({ userId: A, since: at(-1) })).toEqual(snapshots);
      // A later cutoff removes the rest of the old events; a repeat removes nothing more.
      const later = await service.pruneEvents({ asOf: at(12 * 24), retentionDays: 1 });
      expect(later).toMatchObject({ events: 2, sessions: 1 });
      expect(await service.pruneEvents({ asOf: at(12 * 24), retentionDays: 1 })).toMatchObject({
        events: 0,
        sessions: 0,
      });
      expect(await service.getFactors({ userId: A })).toEqual(factors);
    });
  });
}
