import {
  type Experiment,
  type FactoredStore,
  isHeldOut,
  layerBucket,
  validateExperimentDefinition,
} from '@factoredui/core';
import { testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

const claimsOf = (userId: string) => ({ sub: userId, role: 'authenticated' });
const LAYER = 'trust-layer';
const HOLDOUT = { share: 0.3, seed: 'trust-holdout' };
const USERS = Array.from({ length: 40 }, (_, i) => testUuid(0x7a11, i));

/**
 * DESIGN §15 for layers and the holdout (migrations 20261202000100/000200): what a hostile
 * signed-in client can send straight to PostgREST (the RPCs with forged ids and variants, direct
 * table writes), tried for every user of a sample. Each test names one attack.
 */
function trustSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`layers and the holdout hold against hostile clients (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    let experiments: Experiment[];

    const rpcAs = (userId: string, fn: string, arg: object) =>
      db.tryAs('authenticated', claimsOf(userId), `select factoredui.${fn}($1::jsonb)`, [
        JSON.stringify(arg),
      ]);

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.reset();
      service = createPostgresStore(db.sql, { as: 'service' });
      experiments = [];
      for (const [index, [start, end]] of [
        [0, 5000],
        [5000, 10000],
      ].entries()) {
        const created = await service.insertExperiment(
          validateExperimentDefinition({
            name: `layered-${index}`,
            path: `shop/path-${index}`,
            variants: [
              { key: 'control', weight: 50 },
              { key: 'treatment', weight: 50 },
            ],
            layer: { name: LAYER, start: start as number, end: end as number },
          }),
        );
        experiments.push(
          await service.transitionExperiment(created.id, { from: 'draft', to: 'running' }),
        );
      }
    });

    it('attack: forged record_assignment calls cannot put a user in two experiments of a layer', async () => {
      for (const userId of USERS) {
        const bucket = layerBucket(LAYER, userId);
        for (const experiment of experiments) {
          const inside =
            bucket >= (experiment.layer?.start ?? 0) && bucket < (experiment.layer?.end ?? 0);
          const codes = new Set<string>();
          for (const variantKey of ['control', 'treatment', undefined]) {
            codes.add(
              await rpcAs(userId, 'record_assignment', {
                userId,
                experimentId: experiment.id,
                variantKey,
                assignedAt: '2020-01-01T00:00:00.000Z',
              }),
            );
          }
          // Inside: the rule's variant gets in; outside: every request is FU409 (cause layer).
          // (tryAs rolls its transaction back: nothing of these attempts is kept.)
          expect([...codes].sort(), `${userId} ${experiment.name}`).toEqual(
            inside ? ['FU409', 'ok'] : ['FU409'],
          );
        }
        // Kept for real, one after the other through the user's own store: one row per user.
        const store = createPostgresStore(db.sql, { as: { userId } });
        for (const experiment of experiments) {
          await store.recordAssignment({ userId, experimentId: experiment.id }).catch(() => null);
        }
        const rows = await service.listAssignments({ userId });
        expect(rows).toHaveLength(1);
      }
    });

    it('attack: a user cannot write the holdout, directly or through set_holdout', async () => {
      await service.setHoldout(HOLDOUT);
      const user = USERS[0] as string;
      for (const statement of [
        `insert into factoredui.holdout (singleton, share, seed) values (true, 0, 'mine')`,
        `update factoredui.holdout set share = 0`,
        `update factoredui.holdout set seed = 'mine'`,
        `delete from factoredui.holdout`,
      ]) {
        expect(await db.tryAs('authenticated', claimsOf(user), statement), statement).toBe('42501');
        expect(await db.tryAs('anon', { role: 'anon' }, statement), statement).toBe('42501');
      }
      expect(await rpcAs(user, 'set_holdout', { share: 0, seed: 'mine' })).toBe('42501');
      expect(await service.getHoldout()).toMatchObject(HOLDOUT);
      // Internal helpers are not callable by clients.
      expect(
        await db.tryAs('authenticated', claimsOf(user), `select factoredui.held_out($1)`, [user]),
      ).toBe('42501');
      expect(
        await db.tryAs(
          'authenticated',
          claimsOf(user),
          `select factoredui.in_layer('{"name":"x","start":0,"end":1}', $1)`,
          [user],
        ),
      ).toBe('42501');
    });

    it('attack: a held-out user cannot enter any experiment nor record an exposure, with any forged variant', async () => {
      await service.setHoldout(HOLDOUT);
      let heldOut = 0;
      for (const userId of USERS) {
        const out = isHeldOut(HOLDOUT, userId);
        if (!out) continue;
        heldOut += 1;
        for (const experiment of experiments) {
          for (const variantKey of ['control', 'treatment', undefined]) {
            expect(
              await rpcAs(userId, 'record_assignment', {
                userId,
                experimentId: experiment.id,
                variantKey,
              }),
            ).toBe('FU409');
          }
          expect(
            await rpcAs(userId, 'record_exposure', {
              userId,
              experimentId: experiment.id,
              variantKey: 'control',
              sessionId: 's',
              exposedAt: '2026-01-05T10:00:00.000Z',
            }),
          ).toBe('P0002');
        }
        expect(await service.listAssignments({ userId })).toEqual([]);
      }
      expect(heldOut).toBeGreaterThan(3);
    });

    it('attack: a user outside the holdout cannot leave the experiments nor choose to be held out', async () => {
      await service.setHoldout(HOLDOUT);
      // Not held out: the only way in is the rule's variant; nothing the client sends makes the
      // server treat it as held out (the holdout is the server's hash of its id).
      const userId = USERS.find((u) => !isHeldOut(HOLDOUT, u)) as string;
      const experiment = experiments.find((e) => {
        const bucket = layerBucket(LAYER, userId);
        return bucket >= (e.layer?.start ?? 0) && bucket < (e.layer?.end ?? 0);
      }) as Experiment;
      const store = createPostgresStore(db.sql, { as: { userId } });
      const first = await store.recordAssignment({ userId, experimentId: experiment.id });
      // Raising the holdout over the user later does not move the assignment (sticky).
      const seed = [...Array(200).keys()]
        .map((i) => `reseed-${i}`)
        .find((s) => isHeldOut({ share: 0.5, seed: s }, userId)) as string;
      await service.setHoldout({ share: 0.5, seed });
      expect(isHeldOut({ share: 0.5, seed }, userId)).toBe(true);
      expect(await store.recordAssignment({ userId, experimentId: experiment.id })).toEqual(first);
      expect(
        await rpcAs(userId, 'record_assignment', { userId, experimentId: experiment.id }),
      ).toBe('ok');
      expect(await service.listAssignments({ userId })).toEqual([first]);
    });
  });
}

trustSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  trustSuite('PostgreSQL server', () => createServerDatabase('trust_layers_holdout'));
});
