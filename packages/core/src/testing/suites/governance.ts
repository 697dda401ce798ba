import { describe, expect, it } from 'vitest';
import type { FactoredEvent, NewSession } from '../../capture/types.js';
import type { FactoredError } from '../../errors.js';
import type { Experiment, ExperimentDefinition } from '../../experiments/types.js';
import { FACTOR_CATALOG } from '../../factors/catalog.js';
import type { ComponentFactorAggregate } from '../../factors/types.js';
import { CONTROL_KEY, emptySufficientStatistics } from '../../governance/analysis.js';
import {
  queryGovernanceLog,
  queryGovernanceLogByVerdict,
  queryRecentGovernanceLog,
  runGovernanceCheck,
  runGovernanceSweep,
} from '../../governance/check.js';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../governance/settings.js';
import type {
  GovernanceLogEntry,
  GovernanceThreshold,
  VariantSufficientStatistics,
} from '../../governance/types.js';
import type { FactoredStore } from '../../store/contract.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { TEST_USERS, testUuid } from '../harness.js';

const PATH = 'shop/checkout/pay-form/submit';
const OTHER_PATH = 'shop/catalog/grid/card';
const T = Date.parse('2026-03-02T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number, minutes = 0) =>
  new Date(T + hours * HOUR + minutes * 60_000).toISOString();

function definition(name: string, path: string, variants: ExperimentDefinition['variants']) {
  return {
    name,
    description: `governance conformance: ${name}`,
    path,
    variants,
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: name,
  } satisfies ExperimentDefinition;
}

async function runningExperiment(
  service: FactoredStore,
  name: string,
  path = PATH,
  variants: ExperimentDefinition['variants'] = [
    { key: CONTROL_KEY, weight: 40 },
    { key: 'treatment', weight: 40 },
    { key: 'empty', weight: 20 },
  ],
): Promise<Experiment> {
  const draft = await service.insertExperiment(definition(name, path, variants));
  return service.transitionExperiment(draft.id, { from: 'draft', to: 'running' });
}

/** Writes events through the capture API: `rage` rage clicks plus one click, at `when`. */
class Seeder {
  private events = 0;
  private sessions = new Map<string, NewSession>();
  constructor(private readonly store: FactoredStore) {}

  async activity(userId: string, when: string, rage: number, path = PATH): Promise<void> {
    let session = this.sessions.get(userId);
    if (!session) {
      session = {
        id: testUuid(0x6005, this.sessions.size + 1),
        userId,
        startedAt: new Date(T - HOUR).toISOString(),
        metadata: { platform: 'web' },
      };
      this.sessions.set(userId, session);
      await this.store.startSession(session);
    }
    const batch: FactoredEvent[] = [];
    for (let i = 0; i <= rage; i += 1) {
      this.events += 1;
      batch.push({
        id: testUuid(0x6e7e, this.events),
        sessionId: session.id,
        userId,
        type: i === 0 ? 'click' : 'rage_click',
        path,
        payload: {},
        createdAt: new Date(Date.parse(when) + i).toISOString(),
      });
    }
    await this.store.insertEvents(batch);
  }

  /** A snapshot of the hour ending at `asOf`. */
  async snapshot(asOf: string): Promise<void> {
    await this.store.snapshotFactors({ asOf, windowMs: HOUR });
  }
}

const user = (n: number) => testUuid(0x05e2, n);

function zeros(variantKey: string, assigned = 0): VariantSufficientStatistics {
  return { ...emptySufficientStatistics(variantKey), assigned };
}

/**
 * The fixture of the sufficient-statistics tests (factor rage_click_count on PATH, hourly
 * snapshots A at T+1h, B at T+3h, C at T+5h):
 *
 * | user | variant   | assigned | A (x) | B   | C      |
 * |------|-----------|----------|-------|-----|--------|
 * | 1    | control   | T+1h     | 1     | 0   | 2      |
 * | 2    | control   | T+1h     | 3     | 2   | 1      |
 * | 3    | control   | T+1h     | —     | 1   | —      |
 * | 4    | treatment | T+1h     | 2     | 0   | 0      |
 * | 5    | treatment | T+1h     | 0     | 3   | 1      |
 * | 6    | treatment | T+3h     | 4     | 5   | 1      |
 * | 7    | treatment | T+6h     | 1     | 1   | 1      |
 *
 * Assignment exactly at a snapshot makes that snapshot the user's x, never their y. User 1
 * also has activity on another path, which must not count.
 */
async function seedStatisticsFixture(service: FactoredStore): Promise<Experiment> {
  const experiment = await runningExperiment(service, 'governance-stats');
  const seed = new Seeder(service);
  const rows: [number, string, number, number | null, number, number | null][] = [
    [1, CONTROL_KEY, 1, 1, 0, 2],
    [2, CONTROL_KEY, 1, 3, 2, 1],
    [3, CONTROL_KEY, 1, null, 1, null],
    [4, 'treatment', 1, 2, 0, 0],
    [5, 'treatment', 1, 0, 3, 1],
    [6, 'treatment', 3, 4, 5, 1],
    [7, 'treatment', 6, 1, 1, 1],
  ];
  for (const [n, , , a, b, c] of rows) {
    if (a !== null) await seed.activity(user(n), at(0, 10), a);
    await seed.activity(user(n), at(2, 10), b);
    if (c !== null) await seed.activity(user(n), at(4, 10), c);
  }
  await seed.activity(user(1), at(2, 20), 7, OTHER_PATH);
  await seed.snapshot(at(1));
  await seed.snapshot(at(3));
  await seed.snapshot(at(5));
  for (const [n, variantKey, hours] of rows) {
    await service.recordAssignment({
      userId: user(n),
      experimentId: experiment.id,
      variantKey,
      assignedAt: at(hours),
    });
  }
  return experiment;
}

function threshold(overrides: Partial<GovernanceThreshold> = {}): GovernanceThreshold {
  return {
    id: testUuid(0x7e5d, 1),
    experimentId: null,
    factor: 'rage_click_count',
    path: null,
    operator: 'lte',
    value: -1,
    ...overrides,
  };
}

function logEntry(experimentId: string, n: number, overrides: Partial<GovernanceLogEntry> = {}) {
  const entry: GovernanceLogEntry = {
    id: testUuid(0x1065, n),
    experimentId,
    evaluatedAt: at(10 + n),
    controlKey: CONTROL_KEY,
    weights: { control: 50, treatment: 50 },
    assigned: { control: 10 + n, treatment: 11 },
    srm: { tested: true, statistic: 0.05, df: 1, pValue: 0.82, flagged: false },
    factors: [
      {
        factor: 'rage_click_count',
        path: PATH,
        direction: 'lower',
        threshold: { id: testUuid(0x7e5d, 1), operator: 'lte', value: -1, scale: 'absolute' },
        cuped: { theta: 0.41, covariateMean: 1.5, usersWithCovariate: 18 },
        variants: [
          { variantKey: 'control', n: 10, nWithCovariate: 9, mean: 2.5 },
          { variantKey: 'treatment', n: 11, nWithCovariate: 9, mean: 1.25 },
        ],
        comparisons: [
          {
            variantKey: 'treatment',
            controlKey: 'control',
            n: { control: 10, treatment: 11 },
            controlMean: 2.5,
            treatmentMean: 1.25,
            effect: -1.25,
            standardError: 0.5,
            ci: [-2.5, 0.1],
            pValue: 0.07,
            relativeLift: -0.5,
            relativeCi: [-0.9, 0.05],
            method: 'cuped',
            inference: 'sequential',
            confidenceLevel: 0.95,
            significant: false,
            passesThreshold: true,
            outcome: 'inconclusive',
          },
        ],
      },
    ],
    settings: { ...DEFAULT_GOVERNANCE_SETTINGS },
    verdict: 'continue',
    winner: null,
    reason: `look ${n}: no significant improvement yet`,
    ...overrides,
  };
  return entry;
}

/** Governance capability conformance: thresholds, sufficient statistics, the log, the loop. */
export function governanceConformance(ctx: SuiteContext): void {
  describe('governance: sufficient statistics', () => {
    it('follows the exact x/y semantics over snapshots and assignment times', async () => {
      const service = await ctx.service();
      const experiment = await seedStatisticsFixture(service);
      const query = { experimentId: experiment.id, factor: 'rage_click_count' as const };
      expect(await service.getSufficientStatistics({ ...query, at: at(4) })).toEqual([
        {
          variantKey: 'control',
          assigned: 3,
          n: 3,
          sumY: 3,
          sumY2: 5,
          nX: 2,
          sumX: 4,
          sumX2: 10,
          sumXY: 6,
          sumYWithX: 2,
        },
        {
          variantKey: 'treatment',
          assigned: 3,
          n: 2,
          sumY: 3,
          sumY2: 9,
          nX: 2,
          sumX: 2,
          sumX2: 4,
          sumXY: 0,
          sumYWithX: 3,
        },
        zeros('empty'),
      ]);
      // Later: user 6 now has a y (snapshot C), user 3 keeps the value of B (C has none).
      expect(await service.getSufficientStatistics({ ...query, at: at(5), path: PATH })).toEqual([
        {
          variantKey: 'control',
          assigned: 3,
          n: 3,
          sumY: 4,
          sumY2: 6,
          nX: 2,
          sumX: 4,
          sumX2: 10,
          sumXY: 5,
          sumYWithX: 3,
        },
        {
          variantKey: 'treatment',
          assigned: 3,
          n: 3,
          sumY: 2,
          sumY2: 2,
          nX: 3,
          sumX: 7,
          sumX2: 29,
          sumXY: 5,
          sumYWithX: 2,
        },
        zeros('empty'),
      ]);
    });

    it('sees nothing at or before the assignment as y, and nothing on other paths or factors', async () => {
      const service = await ctx.service();
      const experiment = await seedStatisticsFixture(service);
      const base = { experimentId: experiment.id, factor: 'rage_click_count' as const };
      // At T+2h nobody has a snapshot after assignment yet.
      // User 6 (assigned at T+3h) is not in the population yet; user 7 never is before T+6h.
      expect(await service.getSufficientStatistics({ ...base, at: at(2) })).toEqual([
        zeros('control', 3),
        zeros('treatment', 2),
        zeros('empty'),
      ]);
      expect(
        await service.getSufficientStatistics({ ...base, path: 'shop/nowhere', at: at(5) }),
      ).toEqual([zeros('control', 3), zeros('treatment', 3), zeros('empty')]);
      expect(
        (await service.getSufficientStatistics({ ...base, at: at(7) })).map((r) => r.assigned),
      ).toEqual([3, 4, 0]);
      const errors = await service.getSufficientStatistics({
        ...base,
        factor: 'error_rate',
        at: at(5),
      });
      // error_rate is 0 for everyone with activity: same n as rage_click_count, all sums 0.
      expect(errors.map((r) => [r.variantKey, r.n, r.sumY, r.nX])).toEqual([
        ['control', 3, 0, 2],
        ['treatment', 3, 0, 3],
        ['empty', 0, 0, 0],
      ]);
    });

    it('gives user stores k-anonymous numbers: no sums over fewer than 5 users', async () => {
      const service = await ctx.service();
      const experiment = await seedStatisticsFixture(service);
      const alice = await ctx.user(TEST_USERS.alice);
      await service.releaseStatistics({ at: at(5) });
      // Three users per variant: neither the sums nor the `assigned` counts are released.
      expect(
        await alice.getSufficientStatistics({
          experimentId: experiment.id,
          factor: 'rage_click_count',
          at: at(5),
        }),
      ).toEqual([zeros('control'), zeros('treatment'), zeros('empty')]);
    });

    it('user stores read released statistics only: no `at`, path, factor or time between releases differences them', async () => {
      const service = await ctx.service();
      const experiment = await runningExperiment(service, 'governance-release');
      const seed = new Seeder(service);
      const control = [1, 2, 3, 4, 5, 6, 13];
      const treatment = [7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18];
      for (const n of [...control, ...treatment]) {
        await service.recordAssignment({
          userId: user(n),
          experimentId: experiment.id,
          variantKey: control.includes(n) ? CONTROL_KEY : 'treatment',
          assignedAt: at(1),
        });
      }
      // x at T+1h and y at T+3h for users 1-12; user 13 (control) gets a y at T+5h alone;
      // user 7 (treatment) alone changes value at T+7h; users 14-18 (treatment) arrive at T+9h.
      for (let n = 1; n <= 12; n += 1) await seed.activity(user(n), at(0, 10), n % 3);
      await seed.snapshot(at(1));
      for (let n = 1; n <= 12; n += 1) await seed.activity(user(n), at(2, 10), (n % 4) + 1);
      await seed.snapshot(at(3));
      await seed.activity(user(13), at(4, 10), 9);
      await seed.snapshot(at(5));
      await seed.activity(user(7), at(6, 10), 6);
      await seed.snapshot(at(7));
      for (const n of [14, 15, 16, 17, 18]) await seed.activity(user(n), at(8, 10), n % 5);
      await seed.snapshot(at(9));
      const alice = await ctx.user(TEST_USERS.alice);
      await expectCode(alice.releaseStatistics({ at: at(3) }), 'unauthorized');
      for (const hours of [3, 5, 7, 9]) {
        const { released } = await service.releaseStatistics({ at: at(hours) });
        expect(released).toBeGreaterThan(0);
      }
      // Idempotent per time.
      expect(await service.releaseStatistics({ at: at(9) })).toEqual({
        released: 0,
        aggregates: 0,
      });

      // The exact numbers (service) do move by one user; the attacker tries every parameter.
      const exact = (hours: number, variant: string) =>
        service
          .getSufficientStatistics({
            experimentId: experiment.id,
            factor: 'rage_click_count',
            at: at(hours),
          })
          .then(
            (rows) => rows.find((r) => r.variantKey === variant) as VariantSufficientStatistics,
          );
      expect((await exact(5, CONTROL_KEY)).n - (await exact(3, CONTROL_KEY)).n).toBe(1);
      expect((await exact(7, 'treatment')).sumY).not.toBe((await exact(5, 'treatment')).sumY);

      const ms = (hours: number, delta: number) =>
        new Date(Date.parse(at(hours)) + delta).toISOString();
      const times = [3, 5, 7, 9].flatMap((h) => [ms(h, -1), ms(h, 0), ms(h, 1)]).concat(at(30));
      const factors = FACTOR_CATALOG.map((f) => f.name);
      type Seen = { factor: string; path: string; at: string; row: VariantSufficientStatistics };
      const seen: Seen[] = [];
      for (const when of times) {
        for (const factor of factors) {
          // Every path for one factor (the others only on the default path): same coverage of
          // the parameter space, fewer round trips.
          const paths = factor === 'rage_click_count' ? [undefined, PATH, OTHER_PATH] : [undefined];
          for (const path of paths) {
            const rows = await alice.getSufficientStatistics({
              experimentId: experiment.id,
              factor,
              at: when,
              ...(path === undefined ? {} : { path }),
            });
            for (const row of rows) seen.push({ factor, path: path ?? PATH, at: when, row });
          }
        }
      }
      const few = (count: number) => count > 0 && count < 5;
      for (const { row } of seen) {
        expect(few(row.n) || few(row.nX) || (row.nX > 0 && few(row.n - row.nX))).toBe(false);
        expect(few(row.assigned)).toBe(false);
      }
      for (const a of seen) {
        for (const b of seen) {
          if (a.row.variantKey !== b.row.variantKey) continue;
          // Two results of one variant never differ by 1-4 users, across every parameter...
          expect(few(Math.abs(a.row.n - b.row.n))).toBe(false);
          expect(few(Math.abs(a.row.assigned - b.row.assigned))).toBe(false);
          // ...and with the same users (same factor and path), never in value either.
          const same = a.row.n === b.row.n && a.row.assigned === b.row.assigned;
          if (a.factor === b.factor && a.path === b.path && same) {
            expect(a.row).toEqual(b.row);
          }
        }
      }
      const released = (hours: number, variant: string) =>
        seen.find(
          (s) =>
            s.at === at(hours) &&
            s.factor === 'rage_click_count' &&
            s.path === PATH &&
            s.row.variantKey === variant,
        )?.row;
      expect(released(3, CONTROL_KEY)?.n).toBe(6);
      // User 13 alone would move control by one user: the T+3h release is repeated.
      expect(released(5, CONTROL_KEY)).toEqual(released(3, CONTROL_KEY));
      expect(released(9, CONTROL_KEY)).toEqual(released(3, CONTROL_KEY));
      // User 7 alone changing value is not released either; five newcomers are.
      expect(released(7, 'treatment')).toEqual(released(5, 'treatment'));
      expect(released(9, 'treatment')?.n).toBe(11);
      // Before the first release and off the experiment's path: zeros.
      expect(
        await alice.getSufficientStatistics({
          experimentId: experiment.id,
          factor: 'rage_click_count',
          at: ms(3, -1),
        }),
      ).toEqual([zeros(CONTROL_KEY), zeros('treatment'), zeros('empty')]);

      // anon learns nothing about the experiment: the error getExperiment gives it.
      const anon = await ctx.harness().anon?.();
      if (anon) {
        for (const ref of [experiment.id, experiment.name]) {
          const expected = await anon.getExperiment(ref).then(
            () => 'resolved',
            (e: FactoredError) => e.code,
          );
          expect(expected).not.toBe('resolved');
          await expectCode(
            anon.getSufficientStatistics({
              experimentId: ref,
              factor: 'rage_click_count',
              at: at(9),
            }),
            expected as FactoredError['code'],
          );
        }
      }
    }, 120_000);

    it('user stores read released component aggregates only: no refresh, release, path or factor differences them', async () => {
      const service = await ctx.service();
      const seed = new Seeder(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const factors = FACTOR_CATALOG.map((f) => f.name);
      type Seen = { label: string; aggregate: ComponentFactorAggregate };
      const seen: Seen[] = [];
      // Every parameter a user store controls: no filter, each path, each factor, both.
      const attack = async (label: string) => {
        const queries: Parameters<FactoredStore['getComponentAggregates']>[0][] = [
          undefined,
          { path: PATH },
          { path: OTHER_PATH },
          ...factors.map((f) => ({ factors: [f] })),
          { path: PATH, factors: ['rage_click_count'] },
        ];
        for (const query of queries) {
          for (const aggregate of await alice.getComponentAggregates(query)) {
            seen.push({ label, aggregate });
          }
        }
      };
      const live = async () =>
        (await service.getComponentAggregates({ path: PATH, factors: ['rage_click_count'] }))[0];
      // Refresh, read (the refresh is visible to the service only), release, read.
      const refreshAndRelease = async (hours: number) => {
        await service.recomputeFactors({ asOf: at(hours) });
        await attack(`refreshed ${hours}h`);
        const { aggregates } = await service.releaseStatistics({ at: at(hours) });
        expect(aggregates).toBeGreaterThan(0);
        await attack(`released ${hours}h`);
      };
      await expectCode(alice.releaseStatistics({ at: at(1) }), 'unauthorized');
      // Six users on PATH (four of them also on OTHER_PATH, too few to show there).
      for (let n = 1; n <= 6; n += 1) await seed.activity(user(n), at(0, 10), n % 3);
      for (let n = 1; n <= 4; n += 1) await seed.activity(user(n), at(0, 20), 1, OTHER_PATH);
      await service.recomputeFactors({ asOf: at(1) });
      // Nothing before the first release.
      expect(await alice.getComponentAggregates()).toEqual([]);
      await refreshAndRelease(1);
      // User 7 joins PATH alone: the live aggregate moves by one user.
      await seed.activity(user(7), at(1, 10), 4);
      await refreshAndRelease(2);
      expect((await live())?.userCount).toBe(7);
      // User 3 alone changes value (user 7 still the only newcomer).
      const before = await live();
      await seed.activity(user(3), at(2, 10), 5);
      await refreshAndRelease(3);
      expect((await live())?.mean).not.toBe(before?.mean);
      // User 5 joins OTHER_PATH: five users there, published for the first time.
      await seed.activity(user(5), at(3, 10), 1, OTHER_PATH);
      // Users 8-12 arrive on PATH: six newcomers since the last published aggregate.
      for (let n = 8; n <= 12; n += 1) await seed.activity(user(n), at(3, 20), n % 4);
      await refreshAndRelease(4);
      // Idempotent per time: nothing new.
      expect(await service.releaseStatistics({ at: at(4) })).toEqual({
        released: 0,
        aggregates: 0,
      });
      await attack('again 4h');

      const few = (count: number) => count > 0 && count < 5;
      for (const { aggregate } of seen) expect(aggregate.userCount).toBeGreaterThanOrEqual(5);
      for (const a of seen) {
        for (const b of seen) {
          if (a.aggregate.path !== b.aggregate.path || a.aggregate.factor !== b.aggregate.factor)
            continue;
          // Two obtainable aggregates of a (path, factor) never differ by 1-4 users...
          expect(few(Math.abs(a.aggregate.userCount - b.aggregate.userCount))).toBe(false);
          // ...and with as many users (here: the same users), never in value either.
          if (a.aggregate.userCount === b.aggregate.userCount) {
            expect(a.aggregate).toEqual(b.aggregate);
          }
        }
      }
      const released = (label: string, path = PATH) =>
        seen.find(
          (s) =>
            s.label === label &&
            s.aggregate.path === path &&
            s.aggregate.factor === 'rage_click_count',
        )?.aggregate;
      expect(released('released 1h')?.userCount).toBe(6);
      // The newcomer and the changed value are not released: the 1h release is repeated.
      expect(released('refreshed 2h')).toEqual(released('released 1h'));
      expect(released('released 2h')).toEqual(released('released 1h'));
      expect(released('released 3h')).toEqual(released('released 1h'));
      expect(released('released 4h')?.userCount).toBe(12);
      expect(released('released 4h')).toEqual(await live());
      expect(released('released 3h', OTHER_PATH)).toBeUndefined();
      expect(released('released 4h', OTHER_PATH)?.userCount).toBe(5);
      // The service role keeps the live numbers.
      expect(await service.getComponentAggregates({ path: OTHER_PATH })).toEqual(
        await alice.getComponentAggregates({ path: OTHER_PATH }),
      );
    });

    it('rejects an unknown experiment, a bad factor or time', async () => {
      const service = await ctx.service();
      const experiment = await runningExperiment(service, 'governance-errors');
      const ok = { experimentId: experiment.id, factor: 'rage_click_count' as const, at: at(1) };
      await expectCode(
        service.getSufficientStatistics({ ...ok, experimentId: testUuid(0xdead, 1) }),
        'not_found',
      );
      await expectCode(
        service.getSufficientStatistics({ ...ok, factor: 'nope' as 'error_rate' }),
        'invalid_input',
      );
      await expectCode(
        service.getSufficientStatistics({ ...ok, at: 'yesterday' }),
        'invalid_input',
      );
    });
  });

  describe('governance: thresholds', () => {
    it('upserts, fills in the scale, replaces by id, and lists own and global thresholds', async () => {
      const service = await ctx.service();
      const a = await runningExperiment(service, 'thresholds-a');
      const b = await runningExperiment(service, 'thresholds-b', OTHER_PATH);
      const global = threshold({ id: testUuid(0x7e5d, 3) });
      const own = threshold({
        id: testUuid(0x7e5d, 2),
        experimentId: a.id,
        factor: 'completion_rate',
        operator: 'gte',
        value: 0.05,
        scale: 'relative',
      });
      const other = threshold({ id: testUuid(0x7e5d, 1), experimentId: b.id, path: OTHER_PATH });
      expect(await service.upsertThreshold(global)).toEqual({ ...global, scale: 'absolute' });
      await service.upsertThreshold(own);
      await service.upsertThreshold(other);
      expect(await service.listThresholds({ experimentId: a.id })).toEqual([
        own,
        { ...global, scale: 'absolute' },
      ]);
      expect((await service.listThresholds()).map((t) => t.id)).toEqual([
        other.id,
        own.id,
        global.id,
      ]);
      await service.upsertThreshold({ ...global, value: -2 });
      expect((await service.listThresholds({ experimentId: a.id }))[1]?.value).toBe(-2);
      // Readable by users (dashboards), writable only by the service role.
      const alice = await ctx.user(TEST_USERS.alice);
      expect(await alice.listThresholds({ experimentId: a.id })).toHaveLength(2);
      await expectCode(
        alice.upsertThreshold(threshold({ id: testUuid(0x7e5d, 9) })),
        'unauthorized',
      );
    });

    it('rejects thresholds against the factor direction, structural factors and unknown experiments', async () => {
      const service = await ctx.service();
      await expectCode(
        service.upsertThreshold(threshold({ operator: 'gte', value: 1 })),
        'invalid_input',
      );
      await expectCode(service.upsertThreshold(threshold({ value: 1 })), 'invalid_input');
      await expectCode(
        service.upsertThreshold(threshold({ factor: 'sibling_count', operator: 'gte', value: 0 })),
        'invalid_input',
      );
      await expectCode(
        service.upsertThreshold(threshold({ experimentId: testUuid(0xdead, 2) })),
        'not_found',
      );
      expect(await service.listThresholds()).toEqual([]);
    });
  });

  describe('governance: log', () => {
    it('appends rows verbatim and lists them newest first, filtered and limited', async () => {
      const service = await ctx.service();
      const a = await runningExperiment(service, 'log-a');
      const b = await runningExperiment(service, 'log-b', OTHER_PATH);
      const rows = [
        logEntry(a.id, 1),
        logEntry(b.id, 2, { verdict: 'flag_review', reason: 'sample ratio mismatch' }),
        logEntry(a.id, 3, { verdict: 'conclude', winner: 'treatment', reason: 'clear winner' }),
        logEntry(a.id, 4),
      ];
      for (const row of rows) expect(await service.appendGovernanceLog(row)).toEqual(row);
      const ids = (list: GovernanceLogEntry[]) => list.map((r) => r.id);
      const [r1, r2, r3, r4] = rows.map((r) => r.id);
      expect(await service.listGovernanceLog()).toEqual([...rows].reverse());
      expect(ids(await service.listGovernanceLog({ experimentId: a.id }))).toEqual([r4, r3, r1]);
      expect(ids(await service.listGovernanceLog({ verdict: 'continue' }))).toEqual([r4, r1]);
      expect(ids(await service.listGovernanceLog({ experimentId: a.id, limit: 2 }))).toEqual([
        r4,
        r3,
      ]);
      expect(
        ids(await service.listGovernanceLog({ experimentId: b.id, verdict: 'continue' })),
      ).toEqual([]);
      // The core query helpers are thin wrappers over the same method.
      expect(ids(await queryGovernanceLog(service, a.id, { limit: 1 }))).toEqual([r4]);
      expect(ids(await queryRecentGovernanceLog(service, 3))).toEqual([r4, r3, r2]);
      expect(ids(await queryGovernanceLogByVerdict(service, 'flag_review'))).toEqual([r2]);
      // Users read the log (dashboards) but never write it.
      const alice = await ctx.user(TEST_USERS.alice);
      expect(ids(await alice.listGovernanceLog({ limit: 1 }))).toEqual([r4]);
      await expectCode(alice.appendGovernanceLog(logEntry(a.id, 5)), 'unauthorized');
    });

    it('is append-only: a duplicate id is a conflict and nothing changes', async () => {
      const service = await ctx.service();
      const a = await runningExperiment(service, 'log-dup');
      const row = logEntry(a.id, 1);
      await service.appendGovernanceLog(row);
      await expectCode(service.appendGovernanceLog({ ...row, reason: 'rewritten' }), 'conflict');
      expect(await service.listGovernanceLog()).toEqual([row]);
    });

    it('rejects malformed rows, unknown experiments and bad queries', async () => {
      const service = await ctx.service();
      const a = await runningExperiment(service, 'log-bad');
      await expectCode(service.appendGovernanceLog(logEntry(testUuid(0xdead, 3), 1)), 'not_found');
      const bad: GovernanceLogEntry[] = [
        logEntry(a.id, 1, { id: 'nope' }),
        logEntry(a.id, 2, { verdict: 'ship_it' as 'continue' }),
        logEntry(a.id, 3, { verdict: 'conclude', winner: null }),
        logEntry(a.id, 4, { winner: 'treatment' }),
        logEntry(a.id, 5, { evaluatedAt: 'later' }),
        logEntry(a.id, 6, { assigned: { control: Number.NaN } }),
      ];
      for (const row of bad) await expectCode(service.appendGovernanceLog(row), 'invalid_input');
      await expectCode(service.listGovernanceLog({ limit: 0 }), 'invalid_input');
      await expectCode(
        service.listGovernanceLog({ verdict: 'maybe' as 'continue' }),
        'invalid_input',
      );
      expect(await service.listGovernanceLog()).toEqual([]);
    });
  });

  describe('governance: checks and sweeps through the store', () => {
    /** `perArm` users per arm; control users rage-click 3-5 times after assignment, treatment 0-1. */
    async function seedClearWinner(
      service: FactoredStore,
      name: string,
      path: string,
      offset: number,
    ) {
      const experiment = await runningExperiment(service, name, path, [
        { key: CONTROL_KEY, weight: 50 },
        { key: 'treatment', weight: 50 },
      ]);
      const seed = new Seeder(service);
      const perArm = 24;
      for (let i = 0; i < 2 * perArm; i += 1) {
        const id = user(offset + i);
        const variantKey = i % 2 === 0 ? CONTROL_KEY : 'treatment';
        await service.recordAssignment({
          userId: id,
          experimentId: experiment.id,
          variantKey,
          assignedAt: at(1),
        });
        await seed.activity(id, at(0, 10), 2 + (i % 3), path);
        await seed.activity(id, at(2, 10), variantKey === CONTROL_KEY ? 3 + (i % 3) : i % 2, path);
      }
      await seed.snapshot(at(1));
      await seed.snapshot(at(3));
      return experiment;
    }

    it('runGovernanceCheck logs every per-factor number and concludes a clear winner', async () => {
      const service = await ctx.service();
      const experiment = await seedClearWinner(service, 'check-winner', PATH, 100);
      await service.upsertThreshold(threshold({ experimentId: experiment.id }));
      const options = { at: at(4), minSamplePerVariant: 20 };

      const result = await runGovernanceCheck(service, experiment.id, options);
      expect(result.entry.verdict).toBe('conclude');
      expect(result.entry.winner).toBe('treatment');
      expect(result.concluded).toBe(true);
      expect(result.experiment).toMatchObject({ status: 'concluded', winner: 'treatment' });
      expect((await service.getExperiment(experiment.id)).status).toBe('concluded');

      const [logged] = await service.listGovernanceLog({ experimentId: experiment.id });
      expect(logged).toEqual(result.entry);
      expect(logged?.evaluatedAt).toBe(at(4));
      expect(logged?.assigned).toEqual({ control: 24, treatment: 24 });
      const factor = logged?.factors[0];
      expect(factor?.variants.map((v) => [v.variantKey, v.n, v.nWithCovariate])).toEqual([
        ['control', 24, 24],
        ['treatment', 24, 24],
      ]);
      const comparison = factor?.comparisons[0];
      expect(comparison?.n).toEqual({ control: 24, treatment: 24 });
      expect(comparison?.effect).toEqual(expect.any(Number));
      expect(comparison?.ci).toEqual([expect.any(Number), expect.any(Number)]);
      expect(comparison?.pValue).toBeLessThan(0.05);
      expect(comparison?.outcome).toBe('improvement');

      // A concluded experiment is not governed again.
      await expectCode(runGovernanceCheck(service, experiment.id, options), 'conflict');
    });

    it('runGovernanceSweep governs every running experiment at one time and logs each', async () => {
      const service = await ctx.service();
      const winner = await seedClearWinner(service, 'sweep-winner', PATH, 200);
      await service.upsertThreshold(threshold({ experimentId: winner.id }));
      const idle = await runningExperiment(service, 'sweep-idle', OTHER_PATH, [
        { key: CONTROL_KEY, weight: 50 },
        { key: 'treatment', weight: 50 },
      ]);
      const draft = await service.insertExperiment(
        definition('sweep-draft', 'shop/other/x/y', [
          { key: CONTROL_KEY, weight: 50 },
          { key: 'b', weight: 50 },
        ]),
      );

      const sweep = await runGovernanceSweep(service, { at: at(4), minSamplePerVariant: 20 });
      expect(sweep.failures).toEqual([]);
      expect(sweep.evaluatedAt).toBe(at(4));
      const byId = new Map(sweep.results.map((r) => [r.experiment.id, r]));
      expect(byId.has(draft.id)).toBe(false);
      expect(byId.get(winner.id)?.entry).toMatchObject({
        verdict: 'conclude',
        winner: 'treatment',
      });
      // sweep-idle has no threshold: nothing to decide on.
      expect(byId.get(idle.id)?.entry).toMatchObject({ verdict: 'continue', winner: null });
      expect((await service.getExperiment(idle.id)).status).toBe('running');
      expect(await service.listGovernanceLog()).toHaveLength(2);

      // The next sweep only finds the experiment still running.
      const next = await runGovernanceSweep(service, { at: at(5) });
      expect(next.results.map((r) => r.experiment.id)).toEqual([idle.id]);
    });

    it('sweeps decide on and log released numbers only: entries around 1 to 4 new users are equal, otherwise at least 5 users apart (DESIGN §15)', async () => {
      const service = await ctx.service();
      const experiment = await runningExperiment(service, 'governance-log-release', PATH, [
        { key: CONTROL_KEY, weight: 50 },
        { key: 'treatment', weight: 50 },
      ]);
      // A threshold on the experiment's path and one on another path: both must be released.
      await service.upsertThreshold(threshold({ experimentId: experiment.id }));
      await service.upsertThreshold(
        threshold({ id: testUuid(0x7e5d, 2), experimentId: experiment.id, path: OTHER_PATH }),
      );
      const seed = new Seeder(service);
      let next = 0;
      const enrol = async (count: number, variantKey: string, hours: number) => {
        for (let i = 0; i < count; i += 1) {
          next += 1;
          const id = user(500 + next);
          await service.recordAssignment({
            userId: id,
            experimentId: experiment.id,
            variantKey,
            assignedAt: at(hours, 30),
          });
          await seed.activity(id, at(hours, 40), next % 4);
          await seed.activity(id, at(hours, 50), (next % 3) + 1, OTHER_PATH);
        }
      };
      const sweep = async (hours: number) => {
        await seed.snapshot(at(hours));
        const result = await runGovernanceSweep(service, { at: at(hours), autoConclude: false });
        expect(result.failures).toEqual([]);
      };
      // Six users per variant, then one newcomer, then three more (four since the first
      // sweep), one user's value changes, then a fifth newcomer.
      await enrol(6, CONTROL_KEY, 1);
      await enrol(6, 'treatment', 1);
      await sweep(2);
      await enrol(1, 'treatment', 2);
      await sweep(3);
      await enrol(3, 'treatment', 3);
      await sweep(4);
      await seed.activity(user(501), at(4, 10), 7);
      await sweep(5);
      await enrol(1, 'treatment', 5);
      await sweep(6);
      // The service's exact numbers did move by one user between sweeps.
      const exact = async (hours: number) =>
        (
          await service.getSufficientStatistics({
            experimentId: experiment.id,
            factor: 'rage_click_count',
            at: at(hours),
          })
        ).find((r) => r.variantKey === 'treatment');
      expect((await exact(3))?.n).toBe(7);
      expect((await exact(3))?.assigned).toBe(7);
      expect((await exact(2))?.assigned).toBe(6);

      // What a signed-in user reads from the log (newest first).
      const alice = await ctx.user(TEST_USERS.alice);
      const entries = (await alice.listGovernanceLog({ experimentId: experiment.id })).reverse();
      expect(entries.map((e) => e.evaluatedAt)).toEqual([2, 3, 4, 5, 6].map((h) => at(h)));
      const few = (count: number) => count > 0 && count < 5;
      for (const entry of entries) {
        for (const count of Object.values(entry.assigned)) expect(few(count)).toBe(false);
        for (const f of entry.factors) {
          for (const v of f.variants) {
            expect(few(v.n)).toBe(false);
            expect(few(v.nWithCovariate)).toBe(false);
          }
        }
      }
      for (const a of entries) {
        for (const b of entries) {
          for (const key of Object.keys(a.assigned)) {
            expect(few(Math.abs((a.assigned[key] ?? 0) - (b.assigned[key] ?? 0)))).toBe(false);
          }
          for (const fa of a.factors) {
            const fb = b.factors.find((f) => f.factor === fa.factor && f.path === fa.path);
            for (const va of fa.variants) {
              const vb = fb?.variants.find((v) => v.variantKey === va.variantKey);
              expect(vb).toBeDefined();
              expect(few(Math.abs(va.n - (vb?.n ?? 0)))).toBe(false);
              expect(few(Math.abs(va.nWithCovariate - (vb?.nWithCovariate ?? 0)))).toBe(false);
              if (va.n === vb?.n && va.nWithCovariate === vb.nWithCovariate) {
                expect(va.mean).toBe(vb.mean);
              }
            }
          }
        }
      }
      // Around 1 to 4 newcomers and one changed value the log repeats every number.
      const numbers = (e: GovernanceLogEntry | undefined) => ({
        assigned: e?.assigned,
        srm: e?.srm,
        factors: e?.factors,
      });
      for (const i of [1, 2, 3]) expect(numbers(entries[i])).toEqual(numbers(entries[0]));
      // Five newcomers are logged; both thresholded paths were released and evaluated.
      const last = entries[4];
      expect(last?.assigned).toEqual({ control: 6, treatment: 11 });
      expect(
        last?.factors.map((f) => [f.path, f.variants.map((v) => [v.variantKey, v.n])]),
      ).toEqual([
        [
          OTHER_PATH,
          [
            [CONTROL_KEY, 6],
            ['treatment', 11],
          ],
        ],
        [
          PATH,
          [
            [CONTROL_KEY, 6],
            ['treatment', 11],
          ],
        ],
      ]);
      // A user store's dashboard summary counts only the caller's own rows: alice's (none).
      expect((await alice.getExperimentSummary(experiment.id)).map((r) => r.assignedUsers)).toEqual(
        [0, 0],
      );
      const anon = await ctx.harness().anon?.();
      if (anon) {
        // anon gets the error getExperiment gives it: no counts at all.
        const refused = await anon.getExperiment(experiment.id).then(
          () => 'resolved',
          (e: FactoredError) => e.code,
        );
        expect(refused).not.toBe('resolved');
        await expectCode(
          anon.getExperimentSummary(experiment.id),
          refused as FactoredError['code'],
        );
      }
      // The user reads exactly the release the sweep logged, on both paths.
      for (const path of [PATH, OTHER_PATH]) {
        const rows = await alice.getSufficientStatistics({
          experimentId: experiment.id,
          factor: 'rage_click_count',
          path,
          at: at(6),
        });
        expect(rows.map((r) => [r.variantKey, r.assigned, r.n])).toEqual([
          [CONTROL_KEY, 6, 6],
          ['treatment', 11, 11],
        ]);
      }
    });
  });
}
