import {
  computeFactors,
  type FactoredEvent,
  type FactoredStore,
  type FactorValue,
} from '@factoredui/core';
import { createPostgresStore } from '@factoredui/store-supabase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RealisticChunk,
  type RealisticEvent,
  realisticEventChunks,
} from '../../../scripts/bench/realistic-events.js';
import { insertChunk } from '../bench/realistic-seed.js';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

/**
 * The set-based, incremental refresh_factors (#18): every refresh, full or incremental, leaves
 * exactly the values the reference engine computes from all stored events, row by row, and
 * get_factors reports the refresh's asOf on every value.
 */

const T0 = '2026-01-08T00:00:00.000Z';
const hours = (n: number) => new Date(Date.parse(T0) + n * 3_600_000).toISOString();

/** Realistic data; `tag` (2 hex digits) keeps ids of different batches apart. */
function batch(tag: string, events: number, users: number, end: string, days = 7): RealisticChunk {
  const out: RealisticChunk = { sessions: [], events: [] };
  for (const chunk of realisticEventChunks(
    { seed: Number.parseInt(tag, 16), events, users, days, end },
    5_000,
  )) {
    for (const s of chunk.sessions) out.sessions.push({ ...s, id: tag + s.id.slice(2) });
    for (const e of chunk.events) {
      out.events.push({ ...e, id: tag + e.id.slice(2), sessionId: tag + e.sessionId.slice(2) });
    }
  }
  return out;
}

type Row = [string, string, string, number];
const key = (r: Row) => `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
const sorted = (rows: Row[]) =>
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const fromValues = (values: FactorValue[]): Row[] =>
  sorted(values.map((v) => [v.userId, v.path, v.factor, v.value]));

function refreshSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`set-based and incremental refresh_factors (${name})`, () => {
    let db: TestDatabase;
    let service: FactoredStore;
    const stored: RealisticEvent[] = [];

    const insert = async (data: RealisticChunk) => {
      await insertChunk(db.sql, data);
      stored.push(...data.events);
    };
    const table = async (): Promise<Row[]> =>
      sorted(
        (
          await db.sql.query('select user_id, path, factor, value from factoredui.factors')
        ).rows.map(
          (r) => [String(r.user_id), String(r.path), String(r.factor), Number(r.value)] as Row,
        ),
      );
    const state = async () =>
      (await db.sql.query('select mode, pairs, exact from factoredui.factor_refresh')).rows[0] as
        | { mode: string; pairs: number; exact: boolean }
        | undefined;
    /** Refreshes and checks the table against the reference engine over every stored event. */
    const refreshAndCompare = async (asOf: string, windowMs?: number) => {
      const result = await service.recomputeFactors({ asOf, ...(windowMs ? { windowMs } : {}) });
      const expected = computeFactors(stored as FactoredEvent[], { asOf, windowMs });
      const rows = await table();
      expect(rows.length).toBe(expected.length);
      expect(rows).toEqual(fromValues(expected));
      expect(result).toEqual({
        users: new Set(expected.map((v) => v.userId)).size,
        values: expected.length,
      });
      const read = await service.getFactors();
      expect(new Set(read.map((v) => v.asOf))).toEqual(new Set(expected.length ? [asOf] : []));
      return result;
    };

    beforeAll(async () => {
      db = await open();
      service = createPostgresStore(db.sql, { as: 'service' });
      await insert(batch('a1', 12_000, 300, T0));
    });
    afterAll(async () => {
      await db?.close();
    });

    it('a full refresh equals the reference engine row by row on realistic data', async () => {
      expect(await table()).toEqual([]);
      await refreshAndCompare(T0);
      expect((await state())?.mode).toBe('full');
      const pairs = new Set((await table()).map((r) => `${r[0]}\u0000${r[1]}`)).size;
      expect((await state())?.pairs).toBe(pairs);
      // Refreshing again with nothing new recomputes nothing and changes nothing.
      await refreshAndCompare(T0);
      expect(await state()).toMatchObject({ mode: 'incremental', pairs: 0 });
    });

    it('attack: writes through the factors view keep the rules of the table it replaced', async () => {
      const [first] = await table();
      if (!first) throw new Error('the first refresh stored no values');
      const [user, path] = first;
      const insert =
        'insert into factoredui.factors (user_id, path, factor, value, as_of) values ($1, $2, $3, $4, $5)';
      const owner = { sub: user, role: 'authenticated' };
      // Users read their own values through the view and write none, not even their own.
      expect(
        await db.tryAs('authenticated', owner, insert, [user, path, 'error_rate', 0, T0]),
      ).toBe('42501');
      expect(await db.tryAs('authenticated', owner, 'delete from factoredui.factors')).toBe(
        '42501',
      );
      expect(
        await db.tryAs('authenticated', owner, 'update factoredui.pair_factors set error_rate = 0'),
      ).toBe('42501');
      expect(await db.tryAs('anon', { role: 'anon' }, 'select * from factoredui.factors')).toBe(
        '42501',
      );
      const seen = await db.selectAs(
        'authenticated',
        owner,
        'select distinct user_id from factoredui.factors',
      );
      expect(seen).toEqual([{ user_id: user }]);
      const service = { role: 'service_role' };
      // The service role: a factor of the catalog, a finite value, one value per (user, path, factor).
      expect(
        await db.tryAs('service_role', service, insert, [user, path, 'not_a_factor', 1, T0]),
      ).toBe('23514');
      expect(
        await db.tryAs('service_role', service, insert, ['u-new', path, 'error_rate', 'NaN', T0]),
      ).toBe('23514');
      expect(
        await db.tryAs('service_role', service, insert, [
          'u-new',
          path,
          'error_rate',
          'Infinity',
          T0,
        ]),
      ).toBe('23514');
      expect(
        await db.tryAs('service_role', service, insert, ['u-new', path, 'error_rate', null, T0]),
      ).toBe('23502');
      expect(
        await db.tryAs('service_role', service, insert, [first[0], first[1], first[2], 1, T0]),
      ).toBe('23505');
      expect(
        await db.tryAs('service_role', service, insert, ['u-new', path, 'error_rate', 0.5, T0]),
      ).toBe('ok');
      // Deleting a value removes that value only; deleting a pair's last value removes the pair.
      const pairCount =
        "select count(*)::int as n from factoredui.pair_factors where user_id = 'u-extra'";
      await db.sql.query(insert, ['u-extra', path, 'error_rate', 0.25, T0]);
      await db.sql.query(insert, ['u-extra', path, 'rage_click_count', 2, T0]);
      await db.sql.query(
        "update factoredui.factors set value = 0.5 where user_id = 'u-extra' and factor = 'error_rate'",
      );
      expect(
        (
          await db.sql.query(
            "select factor, value from factoredui.factors where user_id = 'u-extra' order by factor",
          )
        ).rows,
      ).toEqual([
        { factor: 'error_rate', value: 0.5 },
        { factor: 'rage_click_count', value: 2 },
      ]);
      await db.sql.query(
        "update factoredui.factors set factor = 'dead_click_count' where user_id = 'u-extra' and factor = 'rage_click_count'",
      );
      expect(
        (
          await db.sql.query(
            "select factor, value from factoredui.factors where user_id = 'u-extra' order by factor",
          )
        ).rows,
      ).toEqual([
        { factor: 'dead_click_count', value: 2 },
        { factor: 'error_rate', value: 0.5 },
      ]);
      const deleted = await db.sql.query(
        "delete from factoredui.factors where user_id = 'u-extra' and factor = 'error_rate' returning value",
      );
      expect(deleted.rows).toEqual([{ value: 0.5 }]);
      expect((await db.sql.query(pairCount)).rows[0]?.n).toBe(1);
      await db.sql.query("delete from factoredui.factors where user_id = 'u-extra'");
      expect((await db.sql.query(pairCount)).rows[0]?.n).toBe(0);
      // Those writes were not the refresh's: the next refresh recomputes everything.
      expect((await state())?.exact).toBe(false);
      await refreshAndCompare(T0);
      expect((await state())?.mode).toBe('full');
    });

    it('new events and a later asOf recompute only the affected pairs, with identical results', async () => {
      // Events of the next hour, and late arrivals inside the old window.
      await insert(batch('b2', 300, 300, hours(1), 1));
      await insert(batch('c3', 200, 300, hours(-30), 1));
      await refreshAndCompare(hours(1));
      const after = await state();
      expect(after?.mode).toBe('incremental');
      expect(after?.pairs).toBeGreaterThan(0);
      expect(after?.pairs).toBeLessThan(200);
    });

    it('attack: the window moving past old events drops them (pairs that leave lose their values)', async () => {
      // 30 hours later: every event of the first day of the window has left it.
      await refreshAndCompare(hours(30));
      expect((await state())?.mode).toBe('incremental');
    });

    it('attack: deleted events (erasure, retention) are recomputed away', async () => {
      const victim = stored[0]?.userId as string;
      // As erase_user / prune_events delete (the lifecycle marker lifts the append-only guard
      // for this statement's transaction only).
      await db.sql.query(
        `delete from factoredui.events
         where user_id = $1 and set_config('factoredui.lifecycle', 'erase', true) = 'erase'`,
        [victim],
      );
      stored.splice(0, stored.length, ...stored.filter((e) => e.userId !== victim));
      await refreshAndCompare(hours(30));
      expect((await state())?.mode).toBe('incremental');
      expect((await table()).some((r) => r[0] === victim)).toBe(false);
    });

    it('attack: a value written by anything but the refresh is overwritten by the next one (full)', async () => {
      const [first] = await table();
      await db.sql.query(
        `update factoredui.factors set value = value + 1000 where user_id = $1 and path = $2 and factor = $3`,
        [first?.[0], first?.[1], first?.[2]],
      );
      expect((await state())?.exact).toBe(false);
      await refreshAndCompare(hours(30));
      expect((await state())?.mode).toBe('full');
    });

    it('attack: going back in time is a full refresh with the requested asOf everywhere', async () => {
      await refreshAndCompare(hours(-2));
      expect((await state())?.mode).toBe('full');
    });

    it('attack: another window is a full refresh, and so is the first refresh after it', async () => {
      await refreshAndCompare(hours(-2), 3 * 86_400_000);
      expect((await state())?.mode).toBe('full');
      await refreshAndCompare(hours(2));
      expect((await state())?.mode).toBe('full');
    });

    it('attack: truncating events or factors cannot leave stale values behind', async () => {
      await db.sql.query('truncate factoredui.pair_factors');
      expect(await state()).toBeUndefined();
      await refreshAndCompare(hours(2));
      await db.sql.query('truncate factoredui.events');
      stored.length = 0;
      await refreshAndCompare(hours(2));
      expect(await table()).toEqual([]);
    });
  });
}

refreshSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  refreshSuite('PostgreSQL server', () => createServerDatabase('refresh'));
});
