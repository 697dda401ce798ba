import type { FactoredEvent, FactoredStore, NewSession } from '@factoredui/core';
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
import type { RowSource } from './harness/tables.js';

const A = TEST_USERS.alice;
const B = TEST_USERS.bob;
const PATH = 'shop/account/profile/save';
const DAY = 86_400_000;
const T = Date.parse('2026-06-01T00:00:00.000Z');

const session = (userId: string, n: number): NewSession => ({
  id: testUuid(0x11f5, n),
  userId,
  startedAt: new Date(T).toISOString(),
  metadata: { platform: 'web' },
});

const event = (s: NewSession, n: number, days: number): FactoredEvent => ({
  id: testUuid(0x11fe, n),
  sessionId: s.id,
  userId: s.userId,
  type: 'click',
  path: PATH,
  payload: {},
  createdAt: new Date(T + days * DAY).toISOString(),
});

/**
 * The data-lifecycle SQL attacked directly (DESIGN §19): events and snapshots stay append-only
 * for every caller but erase_user / prune_events, which only the service role may call.
 */
function lifecycleSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`data lifecycle in SQL (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    const owner = () => db.sql as RowSource;
    const count = async (table: string, userId: string) =>
      Number(
        (
          (
            await owner().query(
              `select count(*)::int as n from factoredui.${table} where user_id = '${userId}'`,
            )
          ).rows[0] as { n: number }
        ).n,
      );

    beforeAll(async () => {
      db = await open();
      service = createPostgresStore(db.sql, { as: 'service' });
    });
    beforeEach(async () => {
      await db.reset();
      for (const [userId, n] of [
        [A, 1],
        [B, 2],
      ] as const) {
        const s = session(userId, n);
        await service.startSession(s);
        await service.insertEvents([event(s, n * 10, 0), event(s, n * 10 + 1, 20)]);
      }
      await service.snapshotFactors({ asOf: new Date(T + DAY).toISOString(), windowMs: 2 * DAY });
    });
    afterAll(async () => {
      await db?.close();
    });

    it('attack: no role deletes events or snapshots directly, the service role and the owner included', async () => {
      for (const table of ['events', 'factor_snapshots']) {
        for (const role of ['authenticated', 'anon', 'service_role']) {
          const claims = role === 'authenticated' ? { sub: A, role } : { role };
          expect(
            await db.tryAs(role, claims, `delete from factoredui.${table} where user_id = '${A}'`),
            `${role} deleting from ${table}`,
          ).toBe('42501');
        }
        // Forging the marker the lifecycle functions set does not help: no DELETE grant.
        expect(
          await db.tryAs(
            'service_role',
            { role: 'service_role' },
            `with f as (select set_config('factoredui.lifecycle', 'erase', true))
             delete from factoredui.${table} where user_id = '${A}' and exists (select 1 from f)`,
          ),
        ).toBe('42501');
        // The owner (a superuser) meets the trigger.
        await expect(
          owner().query(`delete from factoredui.${table} where user_id = '${A}'`),
        ).rejects.toMatchObject({ code: '42501' });
      }
      expect(await count('events', A)).toBe(2);
      expect(await count('factor_snapshots', A)).toBeGreaterThan(0);
    });

    it('attack: clients cannot call the lifecycle functions, nor read the audit log or the salt', async () => {
      const calls = [
        `select factoredui.erase_user('${A}')`,
        `select factoredui.erase_user_data('${A}', 'user_request')`,
        `select factoredui.export_user('${A}')`,
        `select factoredui.list_erasures('{}')`,
        `select factoredui.prune_events('{"retentionDays": 1, "asOf": "2030-01-01T00:00:00Z"}')`,
        `select factoredui.set_retention_days(1)`,
        'select factoredui.scheduled_prune()',
        'select * from factoredui.erasure_log',
        'select * from factoredui.lifecycle_settings',
      ];
      for (const statement of calls) {
        for (const [role, claims] of [
          ['authenticated', { sub: A, role: 'authenticated' }],
          ['anon', { role: 'anon' }],
        ] as const) {
          expect(await db.tryAs(role, claims, statement), `${role}: ${statement}`).toBe('42501');
        }
      }
      // The service role reaches erasure only through erase_user (which writes source 'service').
      expect(
        await db.tryAs(
          'service_role',
          { role: 'service_role' },
          `select factoredui.erase_user_data('${A}', 'user_request')`,
        ),
      ).toBe('42501');
      expect(await count('events', A)).toBe(2);
    });

    it('attack: the audit log is append-only and the service role cannot change the salt', async () => {
      await service.eraseUser(A);
      for (const statement of [
        `update factoredui.erasure_log set source = 'user_request'`,
        'delete from factoredui.erasure_log',
        `update factoredui.lifecycle_settings set salt = 'known'`,
      ]) {
        expect(await db.tryAs('service_role', { role: 'service_role' }, statement), statement).toBe(
          '42501',
        );
      }
      await expect(owner().query('delete from factoredui.erasure_log')).rejects.toMatchObject({
        code: '42501',
      });
      expect(await service.listErasures({ userId: A })).toHaveLength(1);
    });

    it('erase_user removes every row of A in one transaction and leaves B', async () => {
      const record = await service.eraseUser(A);
      expect(record.counts).toMatchObject({ sessions: 1, events: 2 });
      for (const table of ['sessions', 'events', 'factor_snapshots']) {
        expect(await count(table, A), table).toBe(0);
        expect(await count(table, B), table).toBeGreaterThan(0);
      }
      // The marker the function sets does not outlive it.
      const { rows } = await owner().query(
        `select factoredui.erase_user('x') is not null as erased,
                coalesce(current_setting('factoredui.lifecycle', true), '') as marker`,
      );
      expect(rows[0]).toEqual({ erased: true, marker: '' });
    });

    it('attack: request_erasure queues only the caller, once; nobody writes the queue directly', async () => {
      const asA = { sub: A, role: 'authenticated' };
      expect(await db.tryAs('authenticated', asA, 'select factoredui.request_erasure()')).toBe(
        'ok',
      );
      // No way to name someone else: no argument, no table privilege, no other role.
      expect(
        await db.tryAs('authenticated', asA, `select factoredui.request_erasure('${B}')`),
      ).toBe('42883');
      expect(
        await db.tryAs(
          'authenticated',
          asA,
          `insert into factoredui.erasure_requests (user_id) values ('${B}')`,
        ),
      ).toBe('42501');
      for (const [role, claims] of [
        ['anon', { role: 'anon' }],
        ['service_role', { role: 'service_role' }],
      ] as const) {
        expect(await db.tryAs(role, claims, 'select factoredui.request_erasure()'), role).toBe(
          '42501',
        );
      }
      expect(
        await db.tryAs('authenticated', asA, 'select factoredui.process_erasure_requests()'),
      ).toBe('42501');
      // Through the store: asked twice, queued once, for A only.
      const alice = createPostgresStore(db.sql, { as: { userId: A } });
      const first = await alice.requestErasure();
      expect(await alice.requestErasure()).toEqual(first);
      const { rows } = await owner().query('select user_id from factoredui.erasure_requests');
      expect(rows).toEqual([{ user_id: A }]);
      const records = await service.processErasureRequests();
      expect(records.map((r) => r.source)).toEqual(['user_request']);
      expect(await count('events', A)).toBe(0);
      expect(await count('events', B)).toBe(2);
    });

    it('deleting the auth user erases their data (the optional auth.users trigger)', async () => {
      await owner().query(`insert into auth.users (id, email) values ('${A}', 'a@example.com')`);
      await owner().query(`delete from auth.users where id = '${A}'`);
      for (const table of ['sessions', 'events', 'factor_snapshots']) {
        expect(await count(table, A), table).toBe(0);
        expect(await count(table, B), table).toBeGreaterThan(0);
      }
      const [entry] = await service.listErasures({ userId: A });
      expect(entry?.source).toBe('auth_user_deleted');
      expect(entry?.counts).toMatchObject({ sessions: 1, events: 2 });
    });

    it('the retention setting is the default of pruneEvents and of the scheduled job', async () => {
      const asOf = new Date(T + 30 * DAY).toISOString();
      const { rows: before } = await owner().query('select factoredui.scheduled_prune() as r');
      expect(before[0]).toEqual({ r: { skipped: 'no retention configured' } });
      await expect(service.pruneEvents({ asOf })).rejects.toMatchObject({ code: 'invalid_input' });
      await owner().query('select factoredui.set_retention_days(15)');
      // Cutoff: day 15. Day-0 events go, day-20 events stay.
      expect(await service.pruneEvents({ asOf })).toEqual({
        cutoff: new Date(T + 15 * DAY).toISOString(),
        retentionDays: 15,
        events: 2,
        sessions: 0,
      });
      expect(await count('events', A)).toBe(1);
      await owner().query('select factoredui.set_retention_days(1)');
      const { rows } = await owner().query('select factoredui.scheduled_prune() as r');
      expect(rows[0]).toMatchObject({ r: { retentionDays: 1, events: 2, sessions: 2 } });
      expect(await count('factor_snapshots', A)).toBeGreaterThan(0);
    });
  });
}

lifecycleSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  lifecycleSuite('PostgreSQL server', () => createServerDatabase('lifecycle'));
});
