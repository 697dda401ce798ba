import {
  type FactoredEvent,
  type FactoredStore,
  runGovernanceSweep,
  validateExperimentDefinition,
} from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from './harness/code-of.js';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

const PATH = 'shop/checkout';
const T = Date.parse('2026-02-01T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number, ms = 0) => new Date(T + hours * HOUR + ms).toISOString();
const ALICE = { sub: TEST_USERS.alice, role: 'authenticated' };
const ANON = { role: 'anon' };

/**
 * DESIGN §15 for metric statistics (issue #19): they are exact (not released under the
 * k-anonymity rule), so no non-service role may obtain them or anything they could be
 * differenced from — attacked through the SQL API directly, as a signed-in user and as anon.
 */
function metricTrustSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`metric statistics are service-only (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    let experimentId: string;

    beforeAll(async () => {
      db = await open();
      service = createPostgresStore(db.sql, { as: 'service' });
      const experiment = await service.insertExperiment(
        validateExperimentDefinition({
          name: 'metric-secret',
          path: PATH,
          variants: [
            { key: 'control', weight: 50 },
            { key: 'treatment', weight: 50 },
          ],
        }),
      );
      experimentId = experiment.id;
      await service.transitionExperiment(experimentId, { from: 'draft', to: 'running' });
      await service.defineMetric({
        name: 'buys',
        kind: 'conversion',
        direction: 'higher',
        event: 'purchase',
      });
      await service.setMetricPlan(experimentId, {
        primary: { metric: 'buys' },
        guardrails: [],
      });
      // Six other users and alice, all in control and exposed; each buys once, at T+1h except
      // the seventh other user, who buys alone at T+2h (one user between two times).
      const users = [...Array.from({ length: 7 }, (_, i) => testUuid(0x3e7a, i)), TEST_USERS.alice];
      const events: FactoredEvent[] = [];
      for (const [i, userId] of users.entries()) {
        const sessionId = testUuid(0x3e55, i);
        await service.recordAssignment({
          userId,
          experimentId,
          variantKey: 'control',
          assignedAt: at(0),
        });
        await service.recordExposure({
          userId,
          experimentId,
          variantKey: 'control',
          sessionId,
          exposedAt: at(0, 1),
        });
        await service.startSession({
          id: sessionId,
          userId,
          startedAt: at(0),
          metadata: { platform: 'web' },
        });
        events.push({
          id: testUuid(0x3e7e, i),
          sessionId,
          userId,
          type: 'custom',
          path: PATH,
          payload: { name: 'purchase', properties: { revenue: 10 + i } },
          createdAt: i === 6 ? at(2) : at(1),
        });
      }
      await service.insertEvents(events);
      // The service sees the exact numbers, one user apart between T+1h and T+2h.
      const exact = async (when: string) =>
        (await service.getMetricStatistics({ experimentId, metric: 'buys', at: when })).find(
          (r) => r.variantKey === 'control',
        )?.sumY;
      expect([await exact(at(1, 1)), await exact(at(2, 1))]).toEqual([7, 8]);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('metric_statistics refuses authenticated and anon for every query, before it reads anything', async () => {
      const queries = [
        { experimentId, metric: 'buys', at: at(1, 1) },
        { experimentId, metric: 'buys', at: at(2, 1) },
        { experimentId, metric: 'buys', version: 1, at: at(2) },
        { experimentId: 'metric-secret', metric: 'buys', at: at(2, 1) },
        // An unknown experiment or metric fails the same way: no existence oracle.
        { experimentId: 'no-such-experiment', metric: 'buys', at: at(2) },
        { experimentId, metric: 'no-such-metric', at: at(2) },
      ];
      for (const query of queries) {
        const statement = `select factoredui.metric_statistics('${JSON.stringify(query)}'::jsonb)`;
        expect(await db.tryAs('authenticated', ALICE, statement), statement).toBe('42501');
        expect(await db.tryAs('anon', ANON, statement), statement).toBe('42501');
      }
      for (const as of [{ userId: TEST_USERS.alice }, 'anon'] as const) {
        const store = createPostgresStore(db.sql, { as });
        await expect(
          codeOf(store.getMetricStatistics({ experimentId, metric: 'buys', at: at(2, 1) })),
        ).resolves.toBe('unauthorized');
      }
    });

    it('the tables a metric is computed from show a user only their own rows, and anon nothing', async () => {
      for (const table of ['events', 'assignments', 'exposures', 'sessions']) {
        const own = await db.selectAs(
          'authenticated',
          ALICE,
          `select count(*)::int as n, count(*) filter (where user_id <> $1)::int as others from factoredui.${table}`,
          [TEST_USERS.alice],
        );
        expect(own, table).toEqual([{ n: 1, others: 0 }]);
        const anonCode = await db.tryAs('anon', ANON, `select count(*) from factoredui.${table}`);
        if (anonCode === 'ok') {
          const rows = await db.selectAs(
            'anon',
            ANON,
            `select count(*)::int as n from factoredui.${table}`,
          );
          expect(rows, table).toEqual([{ n: 0 }]);
        } else expect(anonCode, table).toBe('42501');
      }
    });

    it('the governance log of two sweeps one user apart holds no metric number a user can difference', async () => {
      for (const when of [at(1, 1), at(2, 1)])
        await runGovernanceSweep(service, { at: when, autoConclude: false });
      const rows = await db.selectAs(
        'authenticated',
        ALICE,
        `select entry -> 'metrics' as metrics from factoredui.governance_log order by seq`,
      );
      expect(rows).toHaveLength(2);
      const numbers: string[] = [];
      const walk = (value: unknown, path: string): void => {
        if (typeof value === 'number') {
          if (!/\.(version|minimumEffect\.value|margin\.value)$/.test(path))
            numbers.push(`${path}=${value}`);
        } else if (Array.isArray(value)) {
          for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
        } else if (typeof value === 'object' && value !== null)
          for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
      };
      for (const row of rows) walk(row.metrics, '');
      expect(numbers).toEqual([]);
      expect(rows[0]?.metrics).toEqual(rows[1]?.metrics);
    });
  });
}

metricTrustSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  metricTrustSuite('PostgreSQL server', () => createServerDatabase('trust_metric_stats'));
});
