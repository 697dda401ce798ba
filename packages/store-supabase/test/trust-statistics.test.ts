import {
  type FactoredError,
  type FactoredStore,
  isFactoredError,
  validateExperimentDefinition,
} from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

async function codeOf(promise: Promise<unknown>): Promise<FactoredError['code'] | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (!isFactoredError(error)) throw error;
    return error.code;
  }
}

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
  });
}

statisticsSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  statisticsSuite('PostgreSQL server', () => createServerDatabase('trust_stats'));
});
