import { readFileSync } from 'node:fs';
import { evaluateFlag, getSharedFlagClient } from '@factoredui/core';
import { runStoreConformanceSuite } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import {
  planUpgradeFrom051,
  readBootstrap,
  readMigrations,
  type UpgradeStepReport,
  upgradeFrom051,
} from '@factoredui/store-supabase/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUnmigratedDatabase,
  DATABASE_URL,
  harnessFor,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** Runs SQL text with many statements on either connection kind. */
async function exec(db: TestDatabase, text: string): Promise<void> {
  const sql = db.sql as {
    exec?: (t: string) => Promise<unknown>;
    query(t: string): Promise<unknown>;
  };
  if (typeof sql.exec === 'function') await sql.exec(text);
  else await sql.query(text);
}

/** A database in the shape FactoredUI 0.5.1 left it, with the data of legacy-051-data.sql. */
async function legacyDatabase(kind: 'pglite' | 'postgres', label: string): Promise<TestDatabase> {
  const db = await createUnmigratedDatabase(kind, label);
  await exec(db, readBootstrap());
  await exec(db, fixture('legacy-051-schema.sql'));
  await exec(db, fixture('legacy-051-data.sql'));
  return db;
}

async function count(db: TestDatabase, table: string): Promise<number> {
  return Number((await db.sql.query(`select count(*) as n from ${table}`)).rows[0]?.n);
}

const U1 = '00000000-0000-4000-8000-000000000001';
const U3 = '00000000-0000-4000-8000-000000000003';
const RUNNING = 'a0000000-0000-4000-8000-000000000001';

/** Per legacy table: [legacy rows, moved, skipped] of the fixture, and why the skipped are. */
const EXPECTED: Record<string, [number, number, number, string[]]> = {
  sessions: [4, 4, 0, []],
  events: [12, 11, 1, ['component_path is not a valid path']],
  factors: [
    5,
    3,
    2,
    // In the order jsonb keeps object keys (shorter first).
    [
      'value is not finite',
      'factor not in the catalog (0.5.1 structural scores are not factors any more)',
    ],
  ],
  factor_snapshots: [
    5,
    4,
    1,
    ['duplicate of another snapshot of the same factor at the same millisecond'],
  ],
  experiments: [
    5,
    4,
    1,
    ['variants are not >= 2 with one "control" and integer traffic_percentage summing to 100'],
  ],
  experiment_variants: [
    10,
    0,
    10,
    ["not a table any more: each variant moved into its experiment's variants"],
  ],
  experiment_assignments: [5, 4, 1, ['its experiment was not moved']],
  experiment_exposures: [6, 4, 2, ['no moved assignment of this user to this variant']],
  thresholds: [3, 2, 1, ['operator eq has no counterpart (gt, gte, lt, lte)']],
  governance_log: [4, 3, 1, ['its experiment was not moved']],
  ui_specs: [4, 4, 0, []],
  ui_active: [2, 2, 0, []],
  user_clusters: [
    2,
    0,
    2,
    ['derived: clusters are recomputed (storeClusters) from the moved factors'],
  ],
  user_factor_vectors: [1, 0, 1, ['derived: recomputed from the moved factors']],
  variant_configs: [
    1,
    0,
    1,
    ["no counterpart: publish them as SDUI specs (saveSpec) and name them in a variant's spec"],
  ],
  devices: [1, 0, 1, ['no counterpart: device fields belong in session metadata']],
};

function table(steps: readonly UpgradeStepReport[]): string {
  const rows = steps.map(
    (s) =>
      `${s.step.padEnd(24)}${String(s.legacyRows).padStart(7)}${String(s.present).padStart(9)}${String(s.moved).padStart(7)}${String(s.skipped).padStart(9)}${String(s.gone).padStart(6)}`,
  );
  return [`${'table'.padEnd(24)} legacy  present  moved  skipped  gone`, ...rows].join('\n');
}

function expectAccounted(steps: readonly UpgradeStepReport[]): void {
  for (const s of steps) {
    expect(s.legacyRows, s.step).toBe(s.present + s.moved + s.skipped + s.gone);
    expect(
      Object.values(s.reasons).reduce((a, b) => a + b, 0),
      s.step,
    ).toBe(s.skipped);
  }
}

function upgradeSuite(kind: 'pglite' | 'postgres'): void {
  describe(`upgrade from FactoredUI 0.5.1 (${kind})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await legacyDatabase(kind, 'upgrade051');
    });
    afterAll(async () => {
      await db?.close();
    });

    it('--dry-run reports per table what will move, and changes nothing', async () => {
      const plan = await planUpgradeFrom051(db.sql);
      console.info(`0.5.1 upgrade plan (${kind}):\n${table(plan.steps)}`);
      expect(plan.legacySchema).toBe('factoredui');
      expect(plan.pendingMigrations).toEqual(readMigrations().map((m) => m.name));
      expect(plan.steps.map((s) => s.step)).toEqual(Object.keys(EXPECTED));
      for (const s of plan.steps) {
        const [legacy, moved, skipped, reasons] = EXPECTED[s.step] ?? [];
        expect([s.legacyRows, s.present, s.moved, s.skipped, s.gone], s.step).toEqual([
          legacy,
          0,
          moved,
          skipped,
          0,
        ]);
        expect(Object.keys(s.reasons), s.step).toEqual(reasons);
      }
      expectAccounted(plan.steps);
      // Rolled back: still the 0.5.1 schema, under its own name, with all its rows.
      expect(
        (await db.sql.query(`select nspname from pg_namespace where nspname like 'factoredui%'`))
          .rows,
      ).toEqual([{ nspname: 'factoredui' }]);
      expect(await count(db, 'factoredui.events')).toBe(12);
    });

    it('moves every row it can, keeps the 0.5.1 tables renamed, and accounts for every row', async () => {
      const result = await upgradeFrom051(db.sql);
      console.info(`0.5.1 upgrade, moved (${kind}):\n${table(result.recorded)}`);
      expect(result.applied).toEqual(readMigrations().map((m) => m.name));
      for (const s of result.recorded) {
        const [legacy, moved, skipped] = EXPECTED[s.step] ?? [];
        expect([s.legacyRows, s.present, s.moved, s.skipped, s.gone], s.step).toEqual([
          legacy,
          0,
          moved,
          skipped,
          0,
        ]);
      }
      expectAccounted(result.recorded);
      // Nothing of 0.5.1 was dropped: every table is in factoredui_051 with all its rows.
      for (const [step, [legacy]] of Object.entries(EXPECTED)) {
        if (step === 'ui_specs' || step === 'ui_active') continue;
        expect(await count(db, `factoredui_051.${step}`), step).toBe(legacy);
      }
      expect(await count(db, 'factoredui_051.ui_specs')).toBe(2);
      expect(await count(db, 'factoredui_051.v_experiment_summary')).toBeGreaterThan(0);
      // And the new tables hold exactly what moved.
      expect(await count(db, 'factoredui.events')).toBe(11);
      expect(await count(db, 'factoredui.assignments')).toBe(4);
      expect(await count(db, 'factoredui.governance_log')).toBe(3);
    });

    it('keeps sticky assignments, experiments, the governance log and specs readable through the store', async () => {
      const service = createPostgresStore(db.sql, { as: 'service' });
      const experiment = await service.getExperiment('checkout-cta');
      expect(experiment).toMatchObject({
        id: RUNNING,
        path: 'Checkout/Payment',
        status: 'running',
        seed: RUNNING,
        platforms: ['web', 'ios'],
        targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'lt', value: 0.5 }],
        variants: [
          { key: 'control', weight: 50, config: { label: 'Pay' } },
          { key: 'bold', weight: 50, config: { label: 'Pay now' } },
        ],
      });
      expect((await service.getExperiment('checkout-cta (0.5.1 a0000000)')).path).toBe(
        'Cart/Summary',
      );
      expect(await service.getExperiment('pay-layout')).toMatchObject({
        status: 'concluded',
        winner: 'compact',
      });
      expect((await service.getExperiment('header-test')).status).toBe('stopped');
      expect(await service.listAssignments({ userId: U1, experimentId: RUNNING })).toEqual([
        {
          userId: U1,
          experimentId: RUNNING,
          variantKey: 'bold',
          assignedAt: '2025-05-05T12:00:00.500Z',
        },
      ]);
      // Stickiness: user 3 was assigned `bold` by 0.5.1's hash; the flag still says so.
      const user3 = createPostgresStore(db.sql, { as: { userId: U3 } });
      expect((await evaluateFlag(user3, 'checkout-cta'))?.variantKey).toBe('bold');
      getSharedFlagClient(user3).destroy(); // its realtime subscription holds a connection
      const log = await service.listGovernanceLog({
        experimentId: 'a0000000-0000-4000-8000-000000000002',
      });
      expect(log.map((e) => [e.verdict, e.winner, e.evaluatedAt])).toEqual([
        ['conclude', 'compact', '2025-04-20T00:00:00.000Z'],
        ['continue', null, '2025-04-10T00:00:00.000Z'],
      ]);
      const active = await service.getActiveSpec({ name: 'default', platform: 'web' });
      expect(active?.version).toBe(2);
      expect(active?.envelope.spec).toMatchObject({ spec_version: 2, root: { type: 'stack' } });
      expect((await service.getActiveSpec({ name: 'default', platform: 'ios' }))?.version).toBe(1);
      const session = await service.getSession('50000000-0000-4000-8000-000000000004');
      expect(session.metadata.platform).toBe('ios');
    });

    it('a second run moves nothing (and neither does a dry run)', async () => {
      const again = await upgradeFrom051(db.sql);
      expect(again.applied).toEqual([]);
      expect(again.steps.map((s) => [s.step, s.moved])).toEqual(
        Object.keys(EXPECTED).map((step) => [step, 0]),
      );
      expectAccounted(again.steps);
      const plan = await planUpgradeFrom051(db.sql);
      expect(plan.legacySchema).toBe('factoredui_051');
      expect(plan.pendingMigrations).toEqual([]);
      expect(plan.steps.every((s) => s.moved === 0)).toBe(true);
      expect(await count(db, 'factoredui.events')).toBe(11);
    });

    it('an interrupted step resumes; rows deleted after the upgrade (erased) are not brought back', async () => {
      // Rows leave events only through erasure or retention (#20); delete two the way they do.
      await db.sql.query(
        `do $$ begin
           perform set_config('factoredui.lifecycle', 'prune', true);
           delete from factoredui.events where id in ('e0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000002');
         end $$`,
      );
      // Finished step: the deleted rows are `gone`, and stay gone.
      let run = await upgradeFrom051(db.sql);
      expect(run.steps.find((s) => s.step === 'events')).toMatchObject({
        present: 9,
        moved: 0,
        gone: 2,
      });
      expect(await count(db, 'factoredui.events')).toBe(9);
      // Unfinished step (as if the run stopped before marking it): the next run completes it.
      await db.sql.query(`delete from factoredui.upgrade_051_steps where step = 'events'`);
      run = await upgradeFrom051(db.sql);
      expect(run.steps.find((s) => s.step === 'events')).toMatchObject({
        present: 9,
        moved: 2,
        gone: 0,
      });
      expect(await count(db, 'factoredui.events')).toBe(11);
    });

    it('only the service role may run the move', async () => {
      expect(
        await db.tryAs(
          'authenticated',
          { sub: U1, role: 'authenticated' },
          'select factoredui.upgrade_from_051(true)',
        ),
      ).toBe('42501');
    });
  });

  // The whole store contract on a database that was upgraded from 0.5.1.
  runStoreConformanceSuite({
    name: `store-supabase on a database upgraded from 0.5.1 (${kind})`,
    createHarness: async () => {
      const db = await legacyDatabase(kind, 'upgraded051');
      await upgradeFrom051(db.sql);
      return harnessFor(db);
    },
  });
}

upgradeSuite('pglite');
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('PostgreSQL server', () => {
  upgradeSuite('postgres');
});
