import { describe, expect, it } from 'vitest';
import { FactoredError } from '../../errors.js';
import { createFlagClient } from '../../experiments/client.js';
import { queryExperimentSummaries, queryExperimentSummary } from '../../experiments/dashboard.js';
import {
  concludeExperiment,
  createExperiment,
  startExperiment,
  stopExperiment,
  updateExperiment,
} from '../../experiments/lifecycle.js';
import { decideAssignment } from '../../experiments/rule.js';
import type {
  Assignment,
  AssignmentRequest,
  Experiment,
  NewExperiment,
} from '../../experiments/types.js';
import type { FactoredStore } from '../../store/contract.js';
import { isUuid } from '../../util/ids.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { TEST_USERS, testUuid } from '../harness.js';

const PATH = 'shop/checkout/pay-form/submit';
const FACTOR_PATH = 'shop/checkout/summary';
const T = '2026-01-05T10:00:00.000Z';

function definition(overrides: Partial<NewExperiment> = {}): NewExperiment {
  return {
    name: 'pay-button-copy',
    description: 'Does "Pay now" beat "Continue"?',
    path: PATH,
    variants: [
      { key: 'control', weight: 50, config: { label: 'Continue' } },
      { key: 'pay-now', weight: 50, config: { label: 'Pay now' } },
    ],
    ...overrides,
  };
}

async function running(
  service: FactoredStore,
  overrides: Partial<NewExperiment> = {},
): Promise<Experiment> {
  const created = await createExperiment(service, definition(overrides));
  return startExperiment(service, created.id);
}

function assignment(userId: string, experimentId: string, variantKey: string, at = T): Assignment {
  return { userId, experimentId, variantKey, assignedAt: at };
}

/** What a client sends: a request to be assigned (the store decides). */
function ask(userId: string, experimentId: string): AssignmentRequest {
  return { userId, experimentId };
}

/** The variant the server's rule gives `userId` (core's local evaluation), or null. */
function ruleVariant(experiment: Experiment, userId: string): string | null {
  return decideAssignment(experiment, userId, []).variant?.key ?? null;
}

/** Experiments capability conformance: definitions, lifecycle, assignments, exposures, dashboard. */
export function experimentsConformance(ctx: SuiteContext): void {
  describe('experiment definitions', () => {
    it('stores a draft with normalized defaults and reads it by id and by name', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      expect(isUuid(created.id)).toBe(true);
      expect(created).toMatchObject({
        name: 'pay-button-copy',
        description: 'Does "Pay now" beat "Continue"?',
        path: PATH,
        status: 'draft',
        winner: null,
        startedAt: null,
        endedAt: null,
        coverage: 1,
        targeting: [],
        platforms: [],
        seed: 'pay-button-copy',
      });
      expect(Number.isFinite(Date.parse(created.createdAt))).toBe(true);
      expect(created.variants).toEqual(definition().variants);
      expect(await service.getExperiment(created.id)).toEqual(created);
      expect(await service.getExperiment('pay-button-copy')).toEqual(created);
    });

    it('round-trips coverage, targeting (0.5 rules normalized), platforms, seed and specs', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, {
        ...definition(),
        coverage: 0.25,
        seed: 'custom-seed',
        platforms: ['web', 'ios'],
        targeting: [
          { factor: 'error_rate', operator: 'gt', threshold: 0.1 },
          { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0' },
        ],
        variants: [
          { key: 'control', weight: 10 },
          { key: 'b', weight: 30, spec: { name: 'pay-form', version: 3 } },
          { key: 'c', weight: 60, config: { nested: { list: [1, 'two', null, true] } } },
        ],
      });
      const read = await service.getExperiment(created.id);
      expect(read.coverage).toBe(0.25);
      expect(read.seed).toBe('custom-seed');
      expect(read.platforms).toEqual(['web', 'ios']);
      expect(read.targeting).toEqual([
        { kind: 'factor', factor: 'error_rate', operator: 'gt', value: 0.1 },
        { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0' },
      ]);
      expect(read.variants[1]?.spec).toEqual({ name: 'pay-form', version: 3 });
      expect(read.variants[2]?.config).toEqual({ nested: { list: [1, 'two', null, true] } });
    });

    it('throws not_found for an unknown experiment', async () => {
      const service = await ctx.service();
      await expectCode(service.getExperiment('no-such-experiment'), 'not_found');
      await expectCode(service.getExperiment('00000000-0000-4000-8000-00000000dead'), 'not_found');
    });

    it('names are unique: a second experiment with the same name is a conflict', async () => {
      const service = await ctx.service();
      await createExperiment(service, definition());
      await expectCode(createExperiment(service, definition({ path: 'other/path' })), 'conflict');
      expect(await service.listExperiments()).toHaveLength(1);
    });

    it('lists in creation order, filtered by status and path', async () => {
      const service = await ctx.service();
      const a = await createExperiment(service, definition({ name: 'a' }));
      const b = await createExperiment(service, definition({ name: 'b', path: 'shop/catalog' }));
      const c = await createExperiment(service, definition({ name: 'c' }));
      await startExperiment(service, b.id);
      expect((await service.listExperiments()).map((e) => e.name)).toEqual(['a', 'b', 'c']);
      expect((await service.listExperiments({ status: ['running'] })).map((e) => e.id)).toEqual([
        b.id,
      ]);
      expect((await service.listExperiments({ status: ['draft'] })).map((e) => e.id)).toEqual([
        a.id,
        c.id,
      ]);
      expect((await service.listExperiments({ path: PATH })).map((e) => e.id)).toEqual([
        a.id,
        c.id,
      ]);
    });

    it('users read definitions but cannot write them', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      const alice = await ctx.user(TEST_USERS.alice);
      expect((await alice.getExperiment(created.id)).name).toBe('pay-button-copy');
      expect(await alice.listExperiments()).toHaveLength(1);
      await expectCode(createExperiment(alice, definition({ name: 'mine' })), 'unauthorized');
      await expectCode(startExperiment(alice, created.id), 'unauthorized');
      await expectCode(
        alice.transitionExperiment(created.id, { from: 'draft', to: 'running' }),
        'unauthorized',
      );
      await expectCode(updateExperiment(alice, created.id, { description: 'x' }), 'unauthorized');
      expect((await service.getExperiment(created.id)).status).toBe('draft');
    });

    it('rejects invalid definitions before anything is stored', async () => {
      const service = await ctx.service();
      const bad: Partial<NewExperiment>[] = [
        { name: '' },
        { path: '' },
        { variants: [{ key: 'control', weight: 100 }] },
        {
          variants: [
            { key: 'a', weight: 50 },
            { key: 'b', weight: 50 },
          ],
        },
        {
          variants: [
            { key: 'control', weight: 50 },
            { key: 'control', weight: 50 },
          ],
        },
        {
          variants: [
            { key: 'control', weight: 50 },
            { key: 'b', weight: 49 },
          ],
        },
        {
          variants: [
            { key: 'control', weight: 50.5 },
            { key: 'b', weight: 49.5 },
          ],
        },
        { coverage: 0 },
        { coverage: 1.5 },
        {
          targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'gt', value: Number.NaN }],
        },
      ];
      for (const overrides of bad) {
        await expectCode(createExperiment(service, definition(overrides)), 'invalid_input');
      }
      expect(await service.listExperiments()).toEqual([]);
    });
  });

  describe('experiment lifecycle', () => {
    it('draft -> running -> concluded, with timestamps and the winner', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      const started = await startExperiment(service, created.id);
      expect(started.status).toBe('running');
      expect(started.startedAt).not.toBeNull();
      const concluded = await concludeExperiment(service, created.id, 'pay-now');
      expect(concluded).toMatchObject({ status: 'concluded', winner: 'pay-now' });
      expect(concluded.endedAt).not.toBeNull();
      expect(await service.getExperiment(created.id)).toEqual(concluded);
    });

    it('draft or running -> stopped', async () => {
      const service = await ctx.service();
      const a = await createExperiment(service, definition({ name: 'a' }));
      const b = await running(service, { name: 'b' });
      expect((await stopExperiment(service, a.id)).status).toBe('stopped');
      const stopped = await stopExperiment(service, b.id);
      expect(stopped.status).toBe('stopped');
      expect(stopped.winner).toBeNull();
      expect(stopped.endedAt).not.toBeNull();
    });

    it('every illegal transition is a conflict and changes nothing', async () => {
      const service = await ctx.service();
      const draft = await createExperiment(service, definition({ name: 'draft' }));
      const live = await running(service, { name: 'live' });
      const done = await running(service, { name: 'done', path: 'a/b' });
      await concludeExperiment(service, done.id, 'control');
      const stopped = await createExperiment(service, definition({ name: 'stopped' }));
      await stopExperiment(service, stopped.id);

      const error = await expectCode(concludeExperiment(service, draft.id, 'control'), 'conflict');
      expect(error.details).toMatchObject({ status: 'draft', to: 'concluded' });
      await expectCode(startExperiment(service, live.id), 'conflict');
      await expectCode(startExperiment(service, done.id), 'conflict');
      await expectCode(stopExperiment(service, done.id), 'conflict');
      await expectCode(concludeExperiment(service, done.id, 'pay-now'), 'conflict');
      await expectCode(startExperiment(service, stopped.id), 'conflict');
      await expectCode(stopExperiment(service, stopped.id), 'conflict');
      expect((await service.getExperiment(done.id)).winner).toBe('control');
      expect((await service.getExperiment(draft.id)).status).toBe('draft');
    });

    it('concluding with a winner that is not a variant is invalid_input', async () => {
      const service = await ctx.service();
      const live = await running(service);
      await expectCode(concludeExperiment(service, live.id, 'nope'), 'invalid_input');
      expect((await service.getExperiment(live.id)).status).toBe('running');
    });

    it('transitions are compare-and-set: a stale `from` is a conflict, concurrent starts have one winner', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      await expectCode(
        service.transitionExperiment(created.id, { from: 'running', to: 'stopped' }),
        'conflict',
      );
      const results = await Promise.allSettled([
        service.transitionExperiment(created.id, { from: 'draft', to: 'running' }),
        service.transitionExperiment(created.id, { from: 'draft', to: 'stopped' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(FactoredError);
      expect(((rejected as PromiseRejectedResult).reason as FactoredError).code).toBe('conflict');
      await expectCode(
        service.transitionExperiment('00000000-0000-4000-8000-00000000dead', {
          from: 'draft',
          to: 'running',
        }),
        'not_found',
      );
    });

    it('a draft may change anything; a running experiment only description, coverage, targeting, platforms', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      const edited = await updateExperiment(service, created.id, {
        variants: [
          { key: 'control', weight: 20 },
          { key: 'pay-now', weight: 80 },
        ],
      });
      expect(edited.variants.map((v) => v.weight)).toEqual([20, 80]);
      await startExperiment(service, created.id);
      await expectCode(
        updateExperiment(service, created.id, {
          variants: [
            { key: 'control', weight: 50 },
            { key: 'pay-now', weight: 50 },
          ],
        }),
        'conflict',
      );
      await expectCode(updateExperiment(service, created.id, { seed: 'other' }), 'conflict');
      await expectCode(updateExperiment(service, created.id, { path: 'a/b' }), 'conflict');
      const widened = await updateExperiment(service, created.id, {
        coverage: 0.5,
        platforms: ['web'],
      });
      expect(widened).toMatchObject({ coverage: 0.5, platforms: ['web'], status: 'running' });
      expect(widened.variants.map((v) => v.weight)).toEqual([20, 80]);
      await expectCode(updateExperiment(service, created.id, { coverage: 2 }), 'invalid_input');
      await stopExperiment(service, created.id);
      await expectCode(updateExperiment(service, created.id, { description: 'late' }), 'conflict');
    });

    it('updateExperiment in the store is compare-and-set on the status', async () => {
      const service = await ctx.service();
      const live = await running(service);
      await expectCode(
        service.updateExperiment(live.id, {
          expectedStatus: 'draft',
          changes: { description: 'x' },
        }),
        'conflict',
      );
      const other = await createExperiment(service, definition({ name: 'other' }));
      await expectCode(
        updateExperiment(service, other.id, { name: 'pay-button-copy' }),
        'conflict',
      );
    });
  });

  describe('assignments', () => {
    it('are decided by the store (the bucketing rule, the store clock) and sticky', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const before = Date.now();
      const first = await alice.recordAssignment(ask(TEST_USERS.alice, live.id));
      expect(first).toMatchObject({
        userId: TEST_USERS.alice,
        experimentId: live.id,
        variantKey: ruleVariant(live, TEST_USERS.alice),
      });
      expect(Date.parse(first.assignedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(first.assignedAt)).toBeLessThanOrEqual(Date.now());
      const other = first.variantKey === 'control' ? 'pay-now' : 'control';
      // Sticky: a later request, whatever it predicts, returns the stored row.
      const second = await alice.recordAssignment(
        assignment(TEST_USERS.alice, live.id, other, '2026-01-06T00:00:00.000Z'),
      );
      expect(second).toEqual(first);
      expect(await alice.listAssignments({ experimentId: live.id })).toEqual([first]);
    });

    it('a user store cannot choose the variant or the time (DESIGN §15)', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const decided = ruleVariant(live, TEST_USERS.alice) as string;
      const other = decided === 'control' ? 'pay-now' : 'control';
      const error = await expectCode(
        alice.recordAssignment(assignment(TEST_USERS.alice, live.id, other)),
        'conflict',
      );
      expect(error.details).toMatchObject({ variantKey: decided });
      expect(await service.listAssignments({ experimentId: live.id })).toEqual([]);
      // A back-dated time is ignored: the store's clock is stored.
      const before = Date.now();
      const stored = await alice.recordAssignment(
        assignment(TEST_USERS.alice, live.id, decided, '2020-01-01T00:00:00.000Z'),
      );
      expect(stored.variantKey).toBe(decided);
      expect(Date.parse(stored.assignedAt)).toBeGreaterThanOrEqual(before - 1);
      // The service role may set both (imports, backfills, fixtures).
      expect(
        await service.recordAssignment(assignment(TEST_USERS.bob, live.id, 'pay-now', T)),
      ).toEqual(assignment(TEST_USERS.bob, live.id, 'pay-now', T));
      const anon = await ctx.harness().anon?.();
      if (anon) {
        await expectCode(anon.recordAssignment(ask(TEST_USERS.carol, live.id)), 'unauthorized');
      }
    });

    it('coverage leaves users out: the store refuses them with cause coverage', async () => {
      const service = await ctx.service();
      const live = await running(service, { coverage: 0.3 });
      const users = Array.from({ length: 30 }, (_, i) => testUuid(0xc0e, i));
      for (const userId of users) {
        const store = await ctx.user(userId);
        const expected = ruleVariant(live, userId);
        if (expected === null) {
          const error = await expectCode(store.recordAssignment(ask(userId, live.id)), 'conflict');
          expect(error.details).toMatchObject({ cause: 'coverage' });
        } else {
          expect((await store.recordAssignment(ask(userId, live.id))).variantKey).toBe(expected);
        }
      }
      const stored = await service.listAssignments({ experimentId: live.id });
      expect(stored.length).toBe(users.filter((u) => ruleVariant(live, u) !== null).length);
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.length).toBeLessThan(users.length);
    });

    it('concurrent writes resolve to the first: one row, every caller gets it', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const aliceAgain = await ctx.user(TEST_USERS.alice);
      const results = await Promise.all([
        alice.recordAssignment(ask(TEST_USERS.alice, live.id)),
        aliceAgain.recordAssignment(ask(TEST_USERS.alice, live.id)),
        service.recordAssignment(ask(TEST_USERS.alice, live.id)),
        alice.recordAssignment(ask(TEST_USERS.alice, live.id)),
      ]);
      const stored = await service.listAssignments({ experimentId: live.id });
      expect(stored).toHaveLength(1);
      for (const result of results) expect(result).toEqual(stored[0]);
    });

    it('stay unchanged when weights change later', async () => {
      const service = await ctx.service();
      const created = await createExperiment(service, definition());
      await startExperiment(service, created.id);
      const alice = await ctx.user(TEST_USERS.alice);
      const first = await alice.recordAssignment(ask(TEST_USERS.alice, created.id));
      await updateExperiment(service, created.id, { coverage: 0.0001 });
      expect(await alice.listAssignments()).toEqual([first]);
      expect(await alice.recordAssignment(ask(TEST_USERS.alice, created.id))).toEqual(first);
    });

    it('need a running experiment, a known experiment and a known variant', async () => {
      const service = await ctx.service();
      const draft = await createExperiment(service, definition({ name: 'draft' }));
      const live = await running(service, { name: 'live', path: 'a/b' });
      const alice = await ctx.user(TEST_USERS.alice);
      const draftError = await expectCode(
        alice.recordAssignment(ask(TEST_USERS.alice, draft.id)),
        'conflict',
      );
      expect(draftError.details).toMatchObject({ status: 'draft' });
      await expectCode(
        alice.recordAssignment(
          assignment(TEST_USERS.alice, '00000000-0000-4000-8000-00000000dead', 'control'),
        ),
        'not_found',
      );
      await expectCode(
        alice.recordAssignment(assignment(TEST_USERS.alice, live.id, 'nope')),
        'invalid_input',
      );
      expect(await alice.listAssignments()).toEqual([]);
    });

    it('one running experiment per user and component path (exclusion)', async () => {
      const service = await ctx.service();
      const first = await running(service, { name: 'first' });
      const second = await running(service, { name: 'second' });
      const elsewhere = await running(service, { name: 'elsewhere', path: 'shop/catalog/grid' });
      const alice = await ctx.user(TEST_USERS.alice);
      await alice.recordAssignment(ask(TEST_USERS.alice, first.id));
      const error = await expectCode(
        alice.recordAssignment(ask(TEST_USERS.alice, second.id)),
        'conflict',
      );
      expect(error.details).toMatchObject({ experimentId: first.id });
      // The service role is held to exclusion too.
      await expectCode(service.recordAssignment(ask(TEST_USERS.alice, second.id)), 'conflict');
      await alice.recordAssignment(ask(TEST_USERS.alice, elsewhere.id));
      const bob = await ctx.user(TEST_USERS.bob);
      await bob.recordAssignment(ask(TEST_USERS.bob, second.id));
      await stopExperiment(service, first.id);
      await alice.recordAssignment(ask(TEST_USERS.alice, second.id));
      expect((await alice.listAssignments()).map((a) => a.experimentId).sort()).toEqual(
        [first.id, second.id, elsewhere.id].sort(),
      );
    });

    it("users write and read only their own; the service role sees everyone's", async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const bob = await ctx.user(TEST_USERS.bob);
      await expectCode(alice.recordAssignment(ask(TEST_USERS.bob, live.id)), 'unauthorized');
      await bob.recordAssignment(ask(TEST_USERS.bob, live.id));
      await alice.recordAssignment(ask(TEST_USERS.alice, live.id));
      await service.recordAssignment(
        assignment(TEST_USERS.carol, live.id, 'pay-now', '2026-01-05T12:00:00.000Z'),
      );
      expect((await alice.listAssignments()).map((a) => a.userId)).toEqual([TEST_USERS.alice]);
      expect(await alice.listAssignments({ userId: TEST_USERS.bob })).toEqual([]);
      const all = (await service.listAssignments({ experimentId: live.id })).map((a) => a.userId);
      // Carol's back-filled time precedes the store clock of the other two.
      expect(all[0]).toBe(TEST_USERS.carol);
      expect([...all].sort()).toEqual([TEST_USERS.alice, TEST_USERS.bob, TEST_USERS.carol].sort());
      expect(await service.listAssignments({ userId: TEST_USERS.bob })).toHaveLength(1);
    });
  });

  describe('exposures', () => {
    it('are recorded once per user, experiment and session', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const { variantKey } = await alice.recordAssignment(ask(TEST_USERS.alice, live.id));
      const exposure = {
        userId: TEST_USERS.alice,
        experimentId: live.id,
        variantKey,
        sessionId: 'session-1',
        exposedAt: T,
      };
      expect(await alice.recordExposure(exposure)).toEqual({ recorded: true });
      expect(
        await alice.recordExposure({ ...exposure, exposedAt: '2026-01-05T10:05:00.000Z' }),
      ).toEqual({
        recorded: false,
      });
      const concurrent = await Promise.all(
        Array.from({ length: 5 }, () =>
          alice.recordExposure({ ...exposure, sessionId: 'session-2' }),
        ),
      );
      expect(concurrent.filter((r) => r.recorded)).toHaveLength(1);
      const stored = await alice.listExposures({ experimentId: live.id });
      expect(stored.map((e) => e.sessionId)).toEqual(['session-1', 'session-2']);
      expect(stored[0]).toEqual(exposure);
    });

    it('need the assignment, with the same variant', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const decided = ruleVariant(live, TEST_USERS.alice) as string;
      const exposure = {
        userId: TEST_USERS.alice,
        experimentId: live.id,
        variantKey: decided === 'control' ? 'pay-now' : 'control',
        sessionId: 's',
        exposedAt: T,
      };
      await expectCode(alice.recordExposure(exposure), 'not_found');
      await alice.recordAssignment(ask(TEST_USERS.alice, live.id));
      const mismatch = await expectCode(alice.recordExposure(exposure), 'conflict');
      expect(mismatch.details).toMatchObject({ variantKey: decided });
      await expectCode(service.recordExposure(exposure), 'conflict');
      await expectCode(
        alice.recordExposure({ ...exposure, variantKey: decided, sessionId: '' }),
        'invalid_input',
      );
      expect(await alice.listExposures()).toEqual([]);
    });

    it('users write and read only their own exposures', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const bob = await ctx.user(TEST_USERS.bob);
      const { variantKey } = await bob.recordAssignment(ask(TEST_USERS.bob, live.id));
      const exposure = {
        userId: TEST_USERS.bob,
        experimentId: live.id,
        variantKey,
        sessionId: 's',
        exposedAt: T,
      };
      const alice = await ctx.user(TEST_USERS.alice);
      await expectCode(alice.recordExposure(exposure), 'unauthorized');
      await bob.recordExposure(exposure);
      expect(await alice.listExposures()).toEqual([]);
      expect(await alice.listExposures({ userId: TEST_USERS.bob })).toEqual([]);
      expect(await service.listExposures({ experimentId: live.id })).toEqual([exposure]);
    });
  });

  describe('dashboard summaries', () => {
    it('one row per variant with distinct assigned and exposed users, filtered', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const draft = await createExperiment(
        service,
        definition({ name: 'later', path: 'shop/catalog' }),
      );
      const users = [TEST_USERS.alice, TEST_USERS.bob, TEST_USERS.carol];
      const variants = ['pay-now', 'pay-now', 'control'];
      for (const [i, userId] of users.entries()) {
        const variantKey = variants[i] as string;
        const store = await ctx.user(userId);
        // The service role back-fills chosen variants; users then record their exposures.
        await service.recordAssignment(assignment(userId, live.id, variantKey));
        if (i < 2) {
          for (const sessionId of ['s1', 's2']) {
            await store.recordExposure({
              userId,
              experimentId: live.id,
              variantKey,
              sessionId,
              exposedAt: T,
            });
          }
        }
      }
      const rows = await queryExperimentSummaries(service);
      expect(
        rows.map((r) => [
          r.experimentName,
          r.variantKey,
          r.weight,
          r.assignedUsers,
          r.exposedUsers,
        ]),
      ).toEqual([
        ['pay-button-copy', 'control', 50, 1, 0],
        ['pay-button-copy', 'pay-now', 50, 2, 2],
        ['later', 'control', 50, 0, 0],
        ['later', 'pay-now', 50, 0, 0],
      ]);
      expect(rows[0]).toMatchObject({
        experimentId: live.id,
        path: PATH,
        status: 'running',
        winner: null,
      });
      expect(
        (await queryExperimentSummaries(service, { status: ['draft'] })).map((r) => r.experimentId),
      ).toEqual([draft.id, draft.id]);
      expect(
        (await queryExperimentSummaries(service, { status: 'running' })).map((r) => r.experimentId),
      ).toEqual([live.id, live.id]);
      expect(await queryExperimentSummaries(service, { path: 'nowhere' })).toEqual([]);
      expect(
        await queryExperimentSummaries(service, { createdAfter: '2999-01-01T00:00:00.000Z' }),
      ).toEqual([]);
      expect(await queryExperimentSummary(service, live.id)).toEqual(rows.slice(0, 2));
      await expectCode(
        queryExperimentSummary(service, '00000000-0000-4000-8000-00000000dead'),
        'not_found',
      );
      const alice = await ctx.user(TEST_USERS.alice);
      const own = await queryExperimentSummary(alice, live.id);
      expect(own.map((r) => [r.variantKey, r.assignedUsers, r.exposedUsers])).toEqual([
        ['control', 0, 0],
        ['pay-now', 1, 1],
      ]);
    });
  });

  describe('flag evaluation against the store', () => {
    it('the flag client predicts exactly what the store records (weights, coverage, factor rules)', async () => {
      const service = await ctx.service();
      const split = await running(service, {
        name: 'split',
        coverage: 0.6,
        variants: [
          { key: 'control', weight: 20 },
          { key: 'b', weight: 30 },
          { key: 'c', weight: 50 },
        ],
      });
      const targeted = await running(service, {
        name: 'targeted',
        path: FACTOR_PATH,
        targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'gt', value: 0 }],
      });
      const users = Array.from({ length: 16 }, (_, i) => testUuid(0xf1a, i));
      // Even users have factors on FACTOR_PATH; every fourth has error_rate 1, the others 0.
      for (const [i, userId] of users.entries()) {
        if (i % 2 === 1) continue;
        const session = {
          id: testUuid(0x5e55, i),
          userId,
          startedAt: T,
          metadata: { platform: 'web' },
        };
        await service.startSession(session);
        await service.insertEvents([
          {
            id: testUuid(0xe7e, i),
            sessionId: session.id,
            userId,
            type: i % 4 === 0 ? 'error' : 'click',
            path: FACTOR_PATH,
            payload: {},
            createdAt: T,
          },
        ]);
      }
      await service.recomputeFactors({ asOf: '2026-01-05T11:00:00.000Z' });
      const outcomes = { enrolled: 0, refused: 0 };
      for (const userId of users) {
        const store = await ctx.user(userId);
        const client = createFlagClient({ store, ttlMs: 0, sessionId: 'agreement' });
        await client.ready();
        for (const experiment of [split, targeted]) {
          const predicted = client.evaluate(experiment.name);
          // recordExposure waits for the client's assignment request to settle.
          await client.recordExposure(predicted);
          const stored = await store.listAssignments({ experimentId: experiment.id });
          if (predicted.inExperiment) {
            outcomes.enrolled += 1;
            expect(stored.map((a) => a.variantKey)).toEqual([predicted.variantKey]);
            expect(client.evaluate(experiment.name).variantKey).toBe(predicted.variantKey);
          } else {
            outcomes.refused += 1;
            expect(stored).toEqual([]);
            await expectCode(store.recordAssignment(ask(userId, experiment.id)), 'conflict');
          }
        }
        expect(client.getSnapshot().error).toBeNull();
        client.destroy();
      }
      expect(outcomes.enrolled).toBeGreaterThan(4);
      expect(outcomes.refused).toBeGreaterThan(4);
    });

    it('evaluating the same user 1,000 times writes one assignment and one exposure per session', async () => {
      const service = await ctx.service();
      const live = await running(service);
      const alice = await ctx.user(TEST_USERS.alice);
      const sessions = ['session-a', 'session-b'];
      for (const sessionId of sessions) {
        const client = createFlagClient({ store: alice, sessionId, ttlMs: 0 });
        await client.ready();
        const seen = new Set<string | null>();
        const writes: Promise<{ recorded: boolean }>[] = [];
        for (let i = 0; i < 1000; i++) {
          const evaluation = client.evaluate('pay-button-copy');
          seen.add(evaluation.variantKey);
          writes.push(client.recordExposure(evaluation));
        }
        const results = await Promise.all(writes);
        expect(results.filter((r) => r.recorded)).toHaveLength(1);
        expect(seen.size).toBe(1);
        client.destroy();
      }
      const assignments = await service.listAssignments({ experimentId: live.id });
      expect(assignments).toHaveLength(1);
      const exposures = await service.listExposures({ experimentId: live.id });
      expect(exposures.map((e) => e.sessionId).sort()).toEqual(sessions);
      expect(new Set(exposures.map((e) => e.variantKey))).toEqual(
        new Set([assignments[0]?.variantKey]),
      );
    });
  });
}
