import {
  type ExperimentDefinition,
  type FactoredEvent,
  type FactoredStore,
  type NewExperiment,
  type NewSession,
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

const A = TEST_USERS.alice;
const B = TEST_USERS.bob;
const AS_OF = '2026-01-05T12:00:00.000Z';
const PATH = 'shop/checkout/pay/submit';

/** A complete definition, as core's createExperiment hands it to the store. */
const definition = (input: NewExperiment): ExperimentDefinition =>
  validateExperimentDefinition(input);

function session(userId: string, n: number): NewSession {
  return {
    id: testUuid(0x5ec, n),
    userId,
    startedAt: '2026-01-05T10:00:00.000Z',
    metadata: { platform: 'web' },
  };
}

let eventN = 0;
function event(s: NewSession, type: FactoredEvent['type'] = 'click'): FactoredEvent {
  eventN += 1;
  return {
    id: testUuid(0xe5e, eventN),
    sessionId: s.id,
    userId: s.userId,
    type,
    path: PATH,
    payload: {},
    createdAt: new Date(Date.parse('2026-01-05T10:00:00.000Z') + eventN).toISOString(),
  };
}

/**
 * Row-level security and grants, exercised for real: every store switches to role
 * `authenticated` / `anon` / `service_role` with PostgREST-style JWT claims per call.
 */
function securitySuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`security (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    let alice: FactoredStore;
    let anon: FactoredStore;
    let experimentId: string;

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });

    /** B's private data: a session, events, factors, a snapshot, an assignment, an exposure. */
    beforeEach(async () => {
      await db.reset();
      service = createPostgresStore(db.sql, { as: 'service' });
      alice = createPostgresStore(db.sql, { as: { userId: A } });
      anon = createPostgresStore(db.sql, { as: 'anon' });
      const bob = createPostgresStore(db.sql, { as: { userId: B } });
      const sb = session(B, 1);
      await bob.startSession(sb);
      await bob.insertEvents([event(sb, 'impression'), event(sb), event(sb, 'error')]);
      const experiment = await service.insertExperiment(
        definition({
          name: 'security-exp',
          path: PATH,
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
      experimentId = experiment.id;
      await service.transitionExperiment(experimentId, { from: 'draft', to: 'running' });
      // The store decides B's variant (DESIGN §15); B records the exposure of that variant.
      const { variantKey } = await bob.recordAssignment({ userId: B, experimentId });
      await bob.recordExposure({
        userId: B,
        experimentId,
        variantKey,
        sessionId: sb.id,
        exposedAt: '2026-01-05T10:00:01.000Z',
      });
      await service.recomputeFactors({ asOf: AS_OF });
      await service.snapshotFactors({ asOf: AS_OF });
    });

    describe('authenticated user A', () => {
      it("cannot read B's sessions", async () => {
        expect(await alice.listSessions()).toEqual([]);
        expect(await alice.listSessions({ userId: B })).toEqual([]);
        expect(await codeOf(alice.getSession(session(B, 1).id))).toBe('not_found');
        expect(await service.listSessions({ userId: B })).toHaveLength(1);
      });

      it("cannot read B's events", async () => {
        expect(await alice.listEvents({ userId: B })).toEqual([]);
        expect(await alice.listEvents({ sessionId: session(B, 1).id })).toEqual([]);
        expect(await service.listEvents({ userId: B })).toHaveLength(3);
      });

      it("cannot read B's factors, snapshots or cluster", async () => {
        expect(await alice.getFactors({ userId: B })).toEqual([]);
        expect(await alice.getFactors()).toEqual([]);
        expect(
          await alice.getFactorHistory({ userId: B, since: '2020-01-01T00:00:00.000Z' }),
        ).toEqual([]);
        expect(await alice.getClosestSnapshot({ userId: B, at: AS_OF })).toEqual([]);
        await service.storeClusters([
          { userId: B, clusterId: 0, distance: 0.5, computedAt: AS_OF },
        ]);
        expect(await alice.getUserCluster(B)).toBeNull();
        expect(await alice.getClusterMembers(0)).toEqual([]);
        expect((await service.getFactors({ userId: B })).length).toBeGreaterThan(0);
      });

      it("cannot read B's assignments", async () => {
        expect(await alice.listAssignments({ userId: B })).toEqual([]);
        expect(await alice.listAssignments({ experimentId })).toEqual([]);
        expect(await service.listAssignments({ experimentId })).toHaveLength(1);
      });

      it("cannot read B's exposures", async () => {
        expect(await alice.listExposures({ userId: B })).toEqual([]);
        expect(await alice.listExposures({ experimentId })).toEqual([]);
        expect(await service.listExposures({ experimentId })).toHaveLength(1);
      });

      it('cannot insert an event for B, even into B’s session', async () => {
        expect(await codeOf(alice.insertEvents([event(session(B, 1))]))).toBe('unauthorized');
        const own = session(A, 2);
        await alice.startSession(own);
        // A's session, B's user id.
        expect(await codeOf(alice.insertEvents([{ ...event(own), userId: B }]))).toBe(
          'unauthorized',
        );
        expect(await service.listEvents({ userId: B })).toHaveLength(3);
      });

      it('cannot insert an event for B by direct SQL either (RLS WITH CHECK)', async () => {
        const code = await db.tryAs(
          'authenticated',
          { sub: A, role: 'authenticated' },
          `insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
           values ($1, $2, $3, 'click', $4, '{}', now())`,
          [testUuid(0xbad, 1), session(B, 1).id, B, PATH],
        );
        expect(code).toBe('42501');
      });

      it('cannot update or delete any event, not even its own', async () => {
        const own = session(A, 3);
        await alice.startSession(own);
        const mine = event(own);
        await alice.insertEvents([mine]);
        const claims = { sub: A, role: 'authenticated' };
        for (const statement of [
          `update factoredui.events set path = 'x/y' where id = '${mine.id}'`,
          `delete from factoredui.events where id = '${mine.id}'`,
          `update factoredui.events set path = 'x/y'`,
          'delete from factoredui.events',
        ]) {
          expect(await db.tryAs('authenticated', claims, statement), statement).toBe('42501');
        }
        // Even the service role cannot rewrite history: events are append-only.
        expect(
          await db.tryAs(
            'service_role',
            { role: 'service_role' },
            `update factoredui.events set path = 'x/y' where id = '${mine.id}'`,
          ),
        ).toBe('42501');
        expect(await alice.listEvents({ sessionId: own.id })).toEqual([mine]);
      });

      it('cannot write the governance log', async () => {
        const code = await codeOf(
          alice.appendGovernanceLog({
            id: testUuid(0x109, 1),
            experimentId,
            evaluatedAt: AS_OF,
            controlKey: 'control',
            weights: { control: 50, treatment: 50 },
            assigned: { control: 1, treatment: 0 },
            srm: { tested: false, statistic: null, df: null, pValue: null, flagged: false },
            factors: [],
            settings: {
              alpha: 0.05,
              inference: 'sequential',
              sequentialTargetSampleSize: 2000,
              minSamplePerVariant: 100,
              srmAlpha: 0.001,
              srmMinUsersPerVariant: 10,
              cuped: true,
              multipleComparisons: 'bonferroni',
            },
            verdict: 'continue',
            winner: null,
            reason: 'forged',
          }),
        );
        expect(code).toBe('unauthorized');
        expect(await service.listGovernanceLog()).toEqual([]);
      });

      it('cannot write experiments', async () => {
        const forged = {
          name: 'forged',
          path: PATH,
          variants: [
            { key: 'control', weight: 50 },
            { key: 'b', weight: 50 },
          ],
        };
        expect(await codeOf(alice.insertExperiment(definition(forged)))).toBe('unauthorized');
        expect(
          await codeOf(
            alice.transitionExperiment(experimentId, { from: 'running', to: 'stopped' }),
          ),
        ).toBe('unauthorized');
        expect((await service.getExperiment(experimentId)).status).toBe('running');
      });

      it('cannot write thresholds', async () => {
        const code = await codeOf(
          alice.upsertThreshold({
            id: testUuid(0x7e5, 1),
            experimentId,
            factor: 'error_rate',
            path: null,
            operator: 'lte',
            value: -0.01,
          }),
        );
        expect(code).toBe('unauthorized');
        expect(await service.listThresholds()).toEqual([]);
      });

      it('cannot write specs', async () => {
        const envelope = {
          spec: { spec_version: 1, renderer_min: 1, root: { id: 'r', type: 'column' } },
          spec_hash: 'a'.repeat(64),
          signature: 'b'.repeat(128),
          signed_at: AS_OF,
          key_id: 'k1',
          name: 'home',
          platform: 'web',
          version: 1,
        };
        expect(await codeOf(alice.saveSpec({ name: 'home', platform: 'web', envelope }))).toBe(
          'unauthorized',
        );
        await service.saveSpec({ name: 'home', platform: 'web', envelope });
        expect(
          await codeOf(alice.activateSpec({ name: 'home', platform: 'web', version: 1 })),
        ).toBe('unauthorized');
        expect(await alice.getActiveSpec({ name: 'home', platform: 'web' })).toBeNull();
      });

      it('cannot run maintenance', async () => {
        expect(await codeOf(alice.recomputeFactors({ asOf: AS_OF }))).toBe('unauthorized');
        expect(await codeOf(alice.snapshotFactors({ asOf: AS_OF }))).toBe('unauthorized');
        expect(await codeOf(alice.storeClusters([]))).toBe('unauthorized');
      });

      it('cannot see an aggregate over fewer than 5 users', async () => {
        // B alone has values: no aggregate at all.
        expect(await alice.getComponentAggregates({ path: PATH })).toEqual([]);
        // Four more users (5 in total) make it visible, to users and service alike.
        for (let i = 0; i < 4; i += 1) {
          const userId = testUuid(0xa66, i);
          const s = session(userId, 100 + i);
          await service.startSession(s);
          await service.insertEvents([event(s, 'impression'), event(s)]);
        }
        await service.recomputeFactors({ asOf: AS_OF });
        // Users read released aggregates only (DESIGN §15): visible once released.
        expect(await alice.getComponentAggregates({ path: PATH })).toEqual([]);
        await service.releaseStatistics({ at: AS_OF });
        const visible = await alice.getComponentAggregates({ path: PATH, factors: ['error_rate'] });
        expect(visible).toHaveLength(1);
        expect(visible[0]?.userCount).toBe(5);
        // Four users: the service's live aggregate is gone; a later release never shows a
        // 4-user aggregate, it repeats the 5-user one (which adds no information).
        await db.sql.query(`delete from factoredui.factors where user_id = $1`, [B]);
        expect(await service.getComponentAggregates({ path: PATH })).toEqual([]);
        await service.releaseStatistics({ at: new Date(Date.parse(AS_OF) + 1).toISOString() });
        expect(await alice.getComponentAggregates({ path: PATH, factors: ['error_rate'] })).toEqual(
          visible,
        );
      });
    });

    describe('anon', () => {
      it('reads nothing private', async () => {
        expect(await codeOf(anon.listSessions())).toBe('unauthorized');
        expect(await codeOf(anon.listEvents())).toBe('unauthorized');
        expect(await codeOf(anon.getSession(session(B, 1).id))).toBe('unauthorized');
        expect(await codeOf(anon.getFactors({ userId: B }))).toBe('unauthorized');
        expect(
          await codeOf(anon.getFactorHistory({ userId: B, since: '2020-01-01T00:00:00.000Z' })),
        ).toBe('unauthorized');
        expect(await codeOf(anon.listAssignments({ userId: B }))).toBe('unauthorized');
        expect(await codeOf(anon.listExposures({ userId: B }))).toBe('unauthorized');
        expect(await codeOf(anon.listExperiments())).toBe('unauthorized');
        expect(await codeOf(anon.getUserCluster(B))).toBe('unauthorized');
        expect(await codeOf(anon.listGovernanceLog())).toBe('unauthorized');
        expect(await codeOf(anon.getSpec({ name: 'home', platform: 'web', version: 1 }))).toBe(
          'unauthorized',
        );
        expect(await anon.getIdentity()).toEqual({ role: 'anon', userId: null });
      });

      it('cannot write anything', async () => {
        expect(await codeOf(anon.startSession(session(B, 9)))).toBe('unauthorized');
        expect(await codeOf(anon.insertEvents([event(session(B, 1))]))).toBe('unauthorized');
        expect(await service.listEvents({ userId: B })).toHaveLength(3);
      });
    });
  });
}

securitySuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  securitySuite('PostgreSQL server', () => createServerDatabase('security'));
});
