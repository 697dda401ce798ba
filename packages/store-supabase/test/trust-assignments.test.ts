import {
  decideAssignment,
  type Experiment,
  type FactoredStore,
  validateExperimentDefinition,
} from '@factoredui/core';
import { TEST_USERS } from '@factoredui/core/testing';
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
const PATH = 'shop/checkout/pay/submit';
const BACK_DATED = '2020-01-01T00:00:00.000Z';

const claimsOf = (userId: string) => ({ sub: userId, role: 'authenticated' });
const ANON = { role: 'anon' };

/**
 * DESIGN §15, "assignments are decided by the server's rule": every way a hostile client can
 * reach the assignments and exposures (PostgREST exposes the tables and the RPCs), tried as
 * `authenticated` (for itself and for another user) and as `anon`. Each test names one attack.
 */
function trustSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`assignments are decided by the server (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    let alice: FactoredStore;
    let anon: FactoredStore;
    let live: Experiment;
    let second: Experiment;
    let draft: Experiment;
    /** The variant the rule gives A in `live`, and the one it does not. */
    let decided: string;
    let other: string;

    const create = async (experimentName: string, path = PATH) =>
      service.insertExperiment(
        validateExperimentDefinition({
          name: experimentName,
          path,
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
    const start = (e: Experiment) =>
      service.transitionExperiment(e.id, { from: 'draft', to: 'running' });

    /** A's assignment rows, read by the service role. */
    const rowsOfA = () => service.listAssignments({ userId: A });

    const insertAssignment = (
      role: string,
      claims: object,
      userId: string,
      experimentId: string,
      variant: string,
      at = 'now()',
    ) =>
      db.tryAs(
        role,
        claims,
        `insert into factoredui.assignments (user_id, experiment_id, variant_key, assigned_at)
         values ($1, $2, $3, ${at === 'now()' ? 'now()' : `'${at}'`})`,
        [userId, experimentId, variant],
      );

    const rpcAs = (role: string, claims: object, fn: string, arg: object) =>
      db.tryAs(role, claims, `select factoredui.${fn}($1::jsonb)`, [JSON.stringify(arg)]);

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.reset();
      service = createPostgresStore(db.sql, { as: 'service' });
      alice = createPostgresStore(db.sql, { as: { userId: A } });
      anon = createPostgresStore(db.sql, { as: 'anon' });
      live = await start(await create('live'));
      second = await start(await create('second'));
      draft = await create('draft', 'shop/other');
      decided = decideAssignment(live, A, []).variant?.key as string;
      other = decided === 'control' ? 'treatment' : 'control';
    });

    it('attack: direct INSERT of an assignment with a chosen variant is denied', async () => {
      expect(await insertAssignment('authenticated', claimsOf(A), A, live.id, other)).toBe('42501');
      expect(await insertAssignment('authenticated', claimsOf(A), A, live.id, decided)).toBe(
        '42501',
      );
      expect(await rowsOfA()).toEqual([]);
    });

    it('attack: direct UPDATE or DELETE of an own assignment (to re-roll it) is denied', async () => {
      await alice.recordAssignment({ userId: A, experimentId: live.id });
      for (const statement of [
        `update factoredui.assignments set variant_key = '${other}' where user_id = '${A}'`,
        `update factoredui.assignments set assigned_at = '${BACK_DATED}' where user_id = '${A}'`,
        `delete from factoredui.assignments where user_id = '${A}'`,
      ]) {
        expect(await db.tryAs('authenticated', claimsOf(A), statement), statement).toBe('42501');
      }
      expect((await rowsOfA()).map((a) => a.variantKey)).toEqual([decided]);
    });

    it('attack: the RPC with a chosen variant is refused; the rule decides', async () => {
      expect(
        await codeOf(
          alice.recordAssignment({ userId: A, experimentId: live.id, variantKey: other }),
        ),
      ).toBe('conflict');
      expect(
        await rpcAs('authenticated', claimsOf(A), 'record_assignment', {
          userId: A,
          experimentId: live.id,
          variantKey: other,
        }),
      ).toBe('FU409');
      expect(await rowsOfA()).toEqual([]);
      const stored = await alice.recordAssignment({ userId: A, experimentId: live.id });
      expect(stored.variantKey).toBe(decided);
    });

    it('attack: a back-dated assignedAt is denied directly and ignored by the RPC', async () => {
      expect(
        await insertAssignment('authenticated', claimsOf(A), A, live.id, decided, BACK_DATED),
      ).toBe('42501');
      const before = Date.now();
      const stored = await alice.recordAssignment({
        userId: A,
        experimentId: live.id,
        variantKey: decided,
        assignedAt: BACK_DATED,
      });
      expect(Date.parse(stored.assignedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(await rowsOfA()).toEqual([stored]);
    });

    it('attack: an assignment to a draft experiment is refused', async () => {
      expect(await insertAssignment('authenticated', claimsOf(A), A, draft.id, 'control')).toBe(
        '42501',
      );
      expect(await codeOf(alice.recordAssignment({ userId: A, experimentId: draft.id }))).toBe(
        'conflict',
      );
      expect(
        await rpcAs('authenticated', claimsOf(A), 'record_assignment', {
          userId: A,
          experimentId: draft.id,
          variantKey: 'control',
          assignedAt: BACK_DATED,
        }),
      ).toBe('FU409');
      expect(await rowsOfA()).toEqual([]);
    });

    it('attack: an assignment to a variant the experiment does not have is refused', async () => {
      expect(await insertAssignment('authenticated', claimsOf(A), A, live.id, 'nope')).toBe(
        '42501',
      );
      expect(
        await codeOf(
          alice.recordAssignment({ userId: A, experimentId: live.id, variantKey: 'nope' }),
        ),
      ).toBe('invalid_input');
      expect(await rowsOfA()).toEqual([]);
    });

    it('attack: exclusion bypass (a second running experiment on the same path) is refused', async () => {
      await alice.recordAssignment({ userId: A, experimentId: live.id });
      const secondVariant = decideAssignment(second, A, []).variant?.key as string;
      expect(
        await insertAssignment('authenticated', claimsOf(A), A, second.id, secondVariant),
      ).toBe('42501');
      expect(await codeOf(alice.recordAssignment({ userId: A, experimentId: second.id }))).toBe(
        'conflict',
      );
      expect(
        await rpcAs('authenticated', claimsOf(A), 'record_assignment', {
          userId: A,
          experimentId: second.id,
        }),
      ).toBe('FU409');
      expect((await rowsOfA()).map((a) => a.experimentId)).toEqual([live.id]);
    });

    it('attack: an exposure whose variant differs from the assignment is refused', async () => {
      await alice.recordAssignment({ userId: A, experimentId: live.id });
      const exposure = {
        userId: A,
        experimentId: live.id,
        variantKey: other,
        sessionId: 's1',
        exposedAt: '2026-01-05T10:00:00.000Z',
      };
      expect(await codeOf(alice.recordExposure(exposure))).toBe('conflict');
      expect(await rpcAs('authenticated', claimsOf(A), 'record_exposure', exposure)).toBe('FU409');
      const insertExposure = `insert into factoredui.exposures (user_id, experiment_id, variant_key, session_id, exposed_at)
         values ($1, $2, $3, 's2', now())`;
      expect(
        await db.tryAs('authenticated', claimsOf(A), insertExposure, [A, live.id, other]),
      ).toBe('42501');
      // Not even a matching one: clients write exposures through record_exposure only.
      expect(
        await db.tryAs('authenticated', claimsOf(A), insertExposure, [A, live.id, decided]),
      ).toBe('42501');
      // The table itself refuses a mismatched row, whoever writes it (composite foreign key).
      expect(
        await db.tryAs('service_role', { role: 'service_role' }, insertExposure, [
          A,
          live.id,
          other,
        ]),
      ).toBe('23503');
      expect(await service.listExposures({ userId: A })).toEqual([]);
    });

    it('attack: anon can neither ask for nor insert assignments and exposures', async () => {
      expect(await codeOf(anon.recordAssignment({ userId: A, experimentId: live.id }))).toBe(
        'unauthorized',
      );
      expect(
        await rpcAs('anon', ANON, 'record_assignment', { userId: A, experimentId: live.id }),
      ).toBe('42501');
      expect(await insertAssignment('anon', ANON, A, live.id, decided)).toBe('42501');
      await alice.recordAssignment({ userId: A, experimentId: live.id });
      const exposure = {
        userId: A,
        experimentId: live.id,
        variantKey: decided,
        sessionId: 's1',
        exposedAt: '2026-01-05T10:00:00.000Z',
      };
      expect(await codeOf(anon.recordExposure(exposure))).toBe('unauthorized');
      expect(await rpcAs('anon', ANON, 'record_exposure', exposure)).toBe('42501');
      expect(await service.listExposures({ userId: A })).toEqual([]);
    });

    it('attack: a user asks for, or inserts, an assignment or exposure of another user', async () => {
      expect(await codeOf(alice.recordAssignment({ userId: B, experimentId: live.id }))).toBe(
        'unauthorized',
      );
      expect(
        await rpcAs('authenticated', claimsOf(A), 'record_assignment', {
          userId: B,
          experimentId: live.id,
        }),
      ).toBe('42501');
      expect(await insertAssignment('authenticated', claimsOf(A), B, live.id, 'control')).toBe(
        '42501',
      );
      const bob = createPostgresStore(db.sql, { as: { userId: B } });
      const bobs = await bob.recordAssignment({ userId: B, experimentId: live.id });
      const exposure = {
        userId: B,
        experimentId: live.id,
        variantKey: bobs.variantKey,
        sessionId: 's1',
        exposedAt: '2026-01-05T10:00:00.000Z',
      };
      expect(await codeOf(alice.recordExposure(exposure))).toBe('unauthorized');
      expect(await rpcAs('authenticated', claimsOf(A), 'record_exposure', exposure)).toBe('42501');
      expect(await service.listExposures({ userId: B })).toEqual([]);
    });

    it('the service role may still back-fill a chosen variant and time, within the rules', async () => {
      const backfilled = await service.recordAssignment({
        userId: A,
        experimentId: live.id,
        variantKey: other,
        assignedAt: BACK_DATED,
      });
      expect(backfilled).toEqual({
        userId: A,
        experimentId: live.id,
        variantKey: other,
        assignedAt: BACK_DATED,
      });
      expect(
        await codeOf(
          service.recordAssignment({ userId: B, experimentId: draft.id, variantKey: 'control' }),
        ),
      ).toBe('conflict');
      expect(
        await codeOf(
          service.recordAssignment({ userId: B, experimentId: live.id, variantKey: 'nope' }),
        ),
      ).toBe('invalid_input');
    });
  });
}

trustSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  trustSuite('PostgreSQL server', () => createServerDatabase('trust_assign'));
});
