import {
  type FactoredStore,
  type GovernanceLogEntry,
  runGovernanceSweep,
  validateExperimentDefinition,
} from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from './harness/code-of.js';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

const PATH = 'shop/checkout/pay/submit';
const T = Date.parse('2026-02-01T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number, ms = 0) => new Date(T + hours * HOUR + ms).toISOString();
const USER = { sub: TEST_USERS.alice, role: 'authenticated' };

/**
 * DESIGN §15, "k-anonymity cannot be differenced", attacked through the SQL API directly (the
 * conformance suite tries every parameter through the store API on every store).
 */
function statisticsSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`statistics cannot be differenced (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    let alice: FactoredStore;
    let anon: FactoredStore;
    let experimentId: string;
    const query = (when: string) => ({
      experimentId,
      factor: 'rage_click_count' as const,
      at: when,
    });

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.reset();
      service = createPostgresStore(db.sql, { as: 'service' });
      alice = createPostgresStore(db.sql, { as: { userId: TEST_USERS.alice } });
      anon = createPostgresStore(db.sql, { as: 'anon' });
      const experiment = await service.insertExperiment(
        validateExperimentDefinition({
          name: 'stats-secret',
          path: PATH,
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
      experimentId = experiment.id;
      await service.transitionExperiment(experimentId, { from: 'draft', to: 'running' });
      // Six control users with a y at T+1h; a seventh gets one at T+2h (alone).
      for (let i = 0; i < 7; i += 1) {
        const userId = testUuid(0x57a7, i);
        await service.recordAssignment({
          userId,
          experimentId,
          variantKey: 'control',
          assignedAt: at(0),
        });
        await db.sql.query(
          `insert into factoredui.factor_snapshots (user_id, path, factor, value, snapshot_at)
           values ($1, $2, 'rage_click_count', $3, $4)`,
          [userId, PATH, i + 1, i < 6 ? at(1) : at(2)],
        );
      }
      await service.releaseStatistics({ at: at(1) });
      await service.releaseStatistics({ at: at(2) });
    });

    it('attack: two calls one millisecond apart around the seventh user differ by nothing', async () => {
      const exactSum = async (when: string) =>
        (await service.getSufficientStatistics(query(when)))[0]?.sumY ?? 0;
      // The exact numbers would reveal user 7's value: 28 - 21.
      expect((await exactSum(at(2))) - (await exactSum(at(2, -1)))).toBe(7);
      const before = await alice.getSufficientStatistics(query(at(2, -1)));
      const after = await alice.getSufficientStatistics(query(at(2)));
      const later = await alice.getSufficientStatistics(query(at(2, 1)));
      expect(before[0]).toMatchObject({ n: 6, sumY: 21 });
      expect(after).toEqual(before);
      expect(later).toEqual(before);
    });

    it('attack: calling the live k-anonymous function or reading the releases directly is denied', async () => {
      const arg = JSON.stringify(query(at(2)));
      for (const statement of [
        `select factoredui.sufficient_statistics_k_anonymous('${arg}'::jsonb)`,
        `select factoredui.sufficient_statistics_exact('${arg}'::jsonb)`,
        'select * from factoredui.statistics_releases',
        'select * from factoredui.statistics_release_cohorts',
        `select * from factoredui.statistics_contributions('${experimentId}', 'rage_click_count', '${PATH}', now())`,
      ]) {
        expect(await db.tryAs('authenticated', USER, statement), statement).toBe('42501');
        expect(await db.tryAs('anon', { role: 'anon' }, statement), statement).toBe('42501');
      }
    });

    it('attack: a user cannot release statistics (choosing the times that get published)', async () => {
      expect(await codeOf(alice.releaseStatistics({ at: at(2, 1) }))).toBe('unauthorized');
      expect(
        await db.tryAs(
          'authenticated',
          USER,
          `select factoredui.release_statistics('{"at": "${at(2, 1)}"}'::jsonb)`,
        ),
      ).toBe('42501');
    });

    it('attack: anon learns nothing about an experiment by its name or id', async () => {
      for (const ref of [experimentId, 'stats-secret']) {
        const expected = await codeOf(anon.getExperiment(ref));
        expect(expected).not.toBe('resolved');
        expect(
          await codeOf(anon.getSufficientStatistics({ ...query(at(2)), experimentId: ref })),
        ).toBe(expected);
        expect(
          await db.tryAs(
            'anon',
            { role: 'anon' },
            `select factoredui.released_statistics($1::jsonb)`,
            [JSON.stringify({ ...query(at(2)), experimentId: ref })],
          ),
        ).toBe('42501');
      }
    });

    describe('governance log and assigned counts', () => {
      const LOG_PATH = 'shop/checkout/pay/confirm';
      const logUser = (i: number) => testUuid(0x1064, i);
      type Entry = GovernanceLogEntry;
      const few = (count: number) => count > 0 && count < 5;

      /** The numbers a reader compares: per factor and variant n, nX and mean; assigned. */
      function assertNotDifferenced(entries: readonly Entry[]): void {
        for (const entry of entries) {
          for (const count of Object.values(entry.assigned)) expect(few(count)).toBe(false);
          for (const f of entry.factors) {
            for (const v of f.variants) expect(few(v.n) || few(v.nWithCovariate)).toBe(false);
          }
        }
        for (const a of entries) {
          for (const b of entries) {
            for (const [key, count] of Object.entries(a.assigned)) {
              expect(few(Math.abs(count - (b.assigned[key] ?? 0)))).toBe(false);
            }
            for (const fa of a.factors) {
              const fb = b.factors.find((f) => f.factor === fa.factor && f.path === fa.path);
              for (const va of fa.variants) {
                const vb = fb?.variants.find((v) => v.variantKey === va.variantKey);
                if (!vb) throw new Error(`${va.variantKey} missing from an entry`);
                expect(few(Math.abs(va.n - vb.n))).toBe(false);
                expect(few(Math.abs(va.nWithCovariate - vb.nWithCovariate))).toBe(false);
                if (va.n === vb.n && va.nWithCovariate === vb.nWithCovariate) {
                  expect(va.mean).toBe(vb.mean);
                }
              }
            }
          }
        }
      }

      it('attack: log entries read around 1 to 4 newcomers (table select and store) repeat every number; five newcomers are logged', async () => {
        const experiment = await service.insertExperiment(
          validateExperimentDefinition({
            name: 'log-secret',
            path: LOG_PATH,
            variants: [
              { key: 'control', weight: 50 },
              { key: 'treatment', weight: 50 },
            ],
          }),
        );
        await service.transitionExperiment(experiment.id, { from: 'draft', to: 'running' });
        await service.upsertThreshold({
          id: testUuid(0x7e5d, 9),
          experimentId: experiment.id,
          factor: 'rage_click_count',
          path: null,
          operator: 'lte',
          value: -1,
        });
        const enrol = async (i: number, variantKey: string, assignedAt: string, y: string) => {
          await service.recordAssignment({
            userId: logUser(i),
            experimentId: experiment.id,
            variantKey,
            assignedAt,
          });
          await db.sql.query(
            `insert into factoredui.factor_snapshots (user_id, path, factor, value, snapshot_at)
             values ($1, $2, 'rage_click_count', $3, $4)`,
            [logUser(i), LOG_PATH, (i % 5) + 1, y],
          );
        };
        // Six users per variant, swept at T+1h; then one treatment newcomer per hour, each
        // followed by a sweep: four newcomers (T+2h..T+5h), then the fifth (T+6h).
        for (let i = 1; i <= 12; i += 1) {
          await enrol(i, i <= 6 ? 'control' : 'treatment', at(0), at(1));
        }
        const sweep = async (hours: number) => {
          const result = await runGovernanceSweep(service, { at: at(hours), autoConclude: false });
          expect(result.failures).toEqual([]);
        };
        await sweep(1);
        for (let k = 1; k <= 5; k += 1) {
          await enrol(12 + k, 'treatment', at(k, 1), at(k + 1));
          await sweep(k + 1);
        }
        // The exact numbers move by one user per sweep (what the log used to show).
        const exact = async (hours: number) =>
          (
            await service.getSufficientStatistics({
              experimentId: experiment.id,
              factor: 'rage_click_count',
              at: at(hours),
            })
          )[1];
        expect((await exact(2))?.n).toBe(7);
        expect((await exact(2))?.assigned).toBe(7);

        // A signed-in user reads the table directly (as PostgREST or Realtime would) and
        // through the store: the same entries.
        const direct = (
          await db.selectAs(
            'authenticated',
            USER,
            'select entry from factoredui.governance_log where experiment_id = $1 order by seq',
            [experiment.id],
          )
        ).map((r) => r.entry as Entry);
        const viaStore = (await alice.listGovernanceLog({ experimentId: experiment.id })).reverse();
        expect(direct).toEqual(viaStore);
        expect(direct.map((e) => e.evaluatedAt)).toEqual([1, 2, 3, 4, 5, 6].map((h) => at(h)));
        assertNotDifferenced(direct);
        const numbers = (e: Entry | undefined) => ({
          assigned: e?.assigned,
          srm: e?.srm,
          factors: e?.factors,
        });
        for (const i of [1, 2, 3, 4]) expect(numbers(direct[i])).toEqual(numbers(direct[0]));
        expect(direct[5]?.assigned).toEqual({ control: 6, treatment: 11 });
        expect(direct[5]?.factors[0]?.variants.map((v) => v.n)).toEqual([6, 11]);

        // The released statistics a user reads carry the released assigned count too.
        const released = await alice.getSufficientStatistics({
          experimentId: experiment.id,
          factor: 'rage_click_count',
          at: at(5),
        });
        expect(released.map((r) => [r.assigned, r.n])).toEqual([
          [6, 6],
          [6, 6],
        ]);
        expect(
          await db.tryAs(
            'authenticated',
            USER,
            'select * from factoredui.statistics_release_assigned',
          ),
        ).toBe('42501');
      });
    });

    it('attack: metric numbers of log entries read around 1 to 4 newcomers with metric events (table select): none logged', async () => {
      const experiment = await service.insertExperiment(
        validateExperimentDefinition({
          name: 'metric-log-secret',
          path: 'shop',
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
      await service.transitionExperiment(experiment.id, { from: 'draft', to: 'running' });
      await service.defineMetric({
        name: 'secret-revenue',
        kind: 'sum',
        direction: 'higher',
        event: 'purchase',
        property: 'revenue',
      });
      await service.setMetricPlan(experiment.id, {
        primary: { metric: 'secret-revenue' },
        guardrails: [],
      });
      const buyer = async (i: number, variantKey: string, hours: number) => {
        const userId = testUuid(0x3e70, i);
        const sessionId = testUuid(0x3e71, i);
        await service.recordAssignment({
          userId,
          experimentId: experiment.id,
          variantKey,
          assignedAt: at(hours),
        });
        await service.recordExposure({
          userId,
          experimentId: experiment.id,
          variantKey,
          sessionId: `s-${i}`,
          exposedAt: at(hours, 1),
        });
        await service.startSession({
          id: sessionId,
          userId,
          startedAt: at(hours),
          metadata: { platform: 'web' },
        });
        await service.insertEvents([
          {
            id: testUuid(0x3e72, i),
            sessionId,
            userId,
            type: 'custom',
            path: 'shop',
            payload: { name: 'purchase', properties: { revenue: 100 * i } },
            createdAt: at(hours, 2),
          },
        ]);
      };
      for (let i = 1; i <= 12; i += 1) await buyer(i, i <= 6 ? 'control' : 'treatment', 0);
      const sweeps = [];
      sweeps.push(await runGovernanceSweep(service, { at: at(1), autoConclude: false }));
      for (let k = 1; k <= 4; k += 1) {
        await buyer(12 + k, 'treatment', k);
        sweeps.push(await runGovernanceSweep(service, { at: at(k + 1), autoConclude: false }));
      }
      const mine = sweeps.map((r) => r.results.find((x) => x.entry.experimentId === experiment.id));
      // The service's exact numbers move by one user per sweep...
      expect(mine.map((r) => r?.evaluation.metrics?.[0]?.variants.map((v) => v.n))).toEqual([
        [6, 6],
        [6, 7],
        [6, 8],
        [6, 9],
        [6, 10],
      ]);
      // ...but what a signed-in user selects from the table carries no metric number.
      const direct = (
        await db.selectAs(
          'authenticated',
          USER,
          'select entry from factoredui.governance_log where experiment_id = $1 order by seq',
          [experiment.id],
        )
      ).map((r) => r.entry as GovernanceLogEntry);
      expect(direct).toHaveLength(5);
      for (const entry of direct) {
        expect(entry.metrics?.map((m) => [m.role, m.metric, m.version])).toEqual([
          ['primary', 'secret-revenue', 1],
        ]);
        expect(Object.keys(entry.metrics?.[0] ?? {}).sort()).toEqual(
          [
            'comparisons',
            'direction',
            'kind',
            'margin',
            'metric',
            'minimumEffect',
            'role',
            'version',
          ].sort(),
        );
        for (const c of entry.metrics?.[0]?.comparisons ?? []) {
          expect(Object.values(c).every((v) => typeof v !== 'number')).toBe(true);
        }
        expect(entry.reason).not.toMatch(/has \d/);
      }
    });

    describe('component aggregates', () => {
      const AGG_PATH = 'shop/checkout/pay/total';
      const aggUser = (i: number) => testUuid(0xa66e, i);
      /** Sets the current value of error_rate on AGG_PATH for users `from..to` (a refresh). */
      const setValues = async (
        from: number,
        to: number,
        value: (i: number) => number,
        asOf: string,
      ) => {
        for (let i = from; i <= to; i += 1) {
          await db.sql.query(
            `insert into factoredui.pair_factors (user_id, path, error_rate, as_of)
             values ($1, $2, $3, $4)
             on conflict (user_id, path) do update set error_rate = excluded.error_rate, as_of = excluded.as_of`,
            [aggUser(i), AGG_PATH, value(i), asOf],
          );
        }
      };
      const read = async (store: FactoredStore) =>
        store.getComponentAggregates({ path: AGG_PATH, factors: ['error_rate'] });

      it('attack: aggregates read around refreshes and releases differ by nothing (a newcomer, a changed value)', async () => {
        await setValues(1, 6, (i) => i / 10, at(3));
        // Before any aggregate release a user reads nothing, even though the service sees 6.
        expect(await read(alice)).toEqual([]);
        expect((await read(service))[0]?.userCount).toBe(6);
        await service.releaseStatistics({ at: at(3) });
        const first = await read(alice);
        expect(first).toEqual(await read(service));
        expect(first[0]).toMatchObject({ userCount: 6, asOf: at(3) });
        expect(await read(anon)).toEqual(first);

        // User 7 joins (a refresh): the live mean would reveal their value; released: the same.
        await setValues(7, 7, () => 0.9, at(4));
        const live = await read(service);
        expect(live[0]?.userCount).toBe(7);
        expect((live[0]?.mean ?? 0) * 7 - (first[0]?.mean ?? 0) * 6).toBeCloseTo(0.9);
        expect(await read(alice)).toEqual(first);
        await service.releaseStatistics({ at: at(4) });
        expect(await read(alice)).toEqual(first);
        // User 1 alone changes value: not released either.
        await setValues(1, 1, () => 0.7, at(5));
        await service.releaseStatistics({ at: at(5) });
        expect(await read(alice)).toEqual(first);
        expect(await read(anon)).toEqual(first);
        // Five more users: twelve, published.
        await setValues(8, 12, (i) => i / 100, at(6));
        await service.releaseStatistics({ at: at(6) });
        const released = await read(alice);
        expect(released).toEqual(await read(service));
        expect(released[0]?.userCount).toBe(12);
        // Four users leave: the twelve-user release is repeated, never an 8-user one.
        await db.sql.query(`delete from factoredui.factors where user_id = any ($1)`, [
          [9, 10, 11, 12].map(aggUser),
        ]);
        await service.releaseStatistics({ at: at(7) });
        expect((await read(service))[0]?.userCount).toBe(8);
        expect(await read(alice)).toEqual(released);
      });

      it('attack: the live aggregates, the aggregate releases and their cohorts are denied to clients', async () => {
        await setValues(1, 6, (i) => i, at(3));
        for (const statement of [
          `select factoredui.live_component_aggregates('{}'::jsonb)`,
          'select * from factoredui.aggregate_releases',
          'select * from factoredui.aggregate_release_cohorts',
          `select factoredui.release_component_aggregates(now())`,
          `select factoredui.release_variant_statistics('{"at": "${at(3)}"}'::jsonb)`,
        ]) {
          expect(await db.tryAs('authenticated', USER, statement), statement).toBe('42501');
          expect(await db.tryAs('anon', { role: 'anon' }, statement), statement).toBe('42501');
        }
        // Nothing released: the client RPC reads the empty release, not the live numbers.
        expect(
          await db.tryAs(
            'authenticated',
            USER,
            `select factoredui.get_component_aggregates('{}'::jsonb)`,
          ),
        ).toBe('ok');
        expect(await read(alice)).toEqual([]);
      });
    });
  });
}

statisticsSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  statisticsSuite('PostgreSQL server', () => createServerDatabase('trust_stats'));
});
