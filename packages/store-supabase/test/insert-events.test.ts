import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

/**
 * insert_events without per-row function calls (#18): createdAt is checked for the whole batch
 * and cast in the INSERT, yet every error is the one to_time gave before, in the same order of
 * checks (shape, authorization, session, createdAt), and times are stored to the millisecond.
 */

const SESSION = '00000000-0000-4000-8000-000000000001';
/** A session of another user (user-2), created by the duplicate test. */
const OTHER = '00000000-0000-4000-8000-000000000002';
const event = (i: number, createdAt: string, sessionId = SESSION) => ({
  id: `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
  sessionId,
  userId: 'user-1',
  type: 'click',
  path: 'shop/cart/checkout',
  payload: {},
  createdAt,
});

function insertSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`insert_events (${name})`, () => {
    let db: TestDatabase;
    const insert = (events: unknown[]) =>
      db.sql.query('select factoredui.insert_events($1::jsonb) as r', [JSON.stringify(events)]);
    const failure = async (events: unknown[]) => {
      try {
        await insert(events);
      } catch (error) {
        const e = error as { code?: string; message?: string };
        return { code: e.code, message: e.message };
      }
      throw new Error('insert_events accepted the batch');
    };

    beforeAll(async () => {
      db = await open();
      await db.sql.query(
        `insert into factoredui.sessions (id, user_id, started_at, metadata)
         values ($1, 'user-1', '2026-01-01T00:00:00Z', '{"platform":"web"}')`,
        [SESSION],
      );
    });
    afterAll(async () => {
      await db?.close();
    });

    it('stores a batch of 500 in one call, times truncated to the millisecond, duplicates counted', async () => {
      const batch = Array.from({ length: 500 }, (_, i) =>
        event(i, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.123456+00:00`),
      );
      expect((await insert(batch)).rows[0]?.r).toEqual({ inserted: 500, duplicates: 0 });
      expect((await insert(batch.slice(0, 10))).rows[0]?.r).toEqual({
        inserted: 0,
        duplicates: 10,
      });
      const { rows } = await db.sql.query(
        `select count(*)::int as n, count(*) filter (where created_at = date_trunc('milliseconds', created_at))::int as ms
         from factoredui.events`,
      );
      expect(rows[0]).toEqual({ n: 500, ms: 500 });
    });

    it('attack: a createdAt outside the ISO 8601 pattern is refused with to_time’s message, nothing stored', async () => {
      expect(
        await failure([event(1000, '2026-01-01T00:00:00Z'), event(1001, 'yesterday')]),
      ).toEqual({
        code: '22023',
        message: 'createdAt must be an ISO 8601 time with a time zone, got "yesterday".',
      });
      expect(await failure([event(1002, '2026-01-01 00:00:00')])).toMatchObject({ code: '22023' });
      const { rows } = await db.sql.query(
        `select count(*)::int as n from factoredui.events where id = $1`,
        [event(1000, '').id],
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('attack: a createdAt in the pattern that is no time (month 13) is refused with to_time’s message', async () => {
      expect(await failure([event(1003, '2026-13-45T00:00:00.000Z')])).toEqual({
        code: '22023',
        message: 'createdAt must be a valid ISO 8601 time, got "2026-13-45T00:00:00.000Z".',
      });
    });

    it('keeps the order of checks: a missing session is reported before a bad createdAt', async () => {
      const missing = '00000000-0000-4000-8000-0000000000ff';
      expect(await failure([event(1004, 'yesterday', missing)])).toMatchObject({ code: 'P0002' });
      expect(await failure([{ ...event(1005, 'yesterday'), id: 'not-a-uuid' }])).toMatchObject({
        code: '22023',
        message: expect.stringContaining('is malformed'),
      });
    });

    it('attack: a duplicate is never inserted, yet its session is checked as before', async () => {
      const first = event(1100, '2026-01-01T00:00:00Z');
      expect((await insert([first])).rows[0]?.r).toEqual({ inserted: 1, duplicates: 0 });
      // The same id again with a session that does not exist: the foreign key never sees a
      // duplicate (ON CONFLICT skips it), the session check still does.
      const missing = '00000000-0000-4000-8000-0000000000fe';
      expect(await failure([{ ...first, sessionId: missing }])).toEqual({
        code: 'P0002',
        message: `event ${first.id}: session ${missing} does not exist; start it with startSession first.`,
      });
      // ...or with another user's session, beside a new event that is fine: nothing stored.
      await db.sql.query(
        `insert into factoredui.sessions (id, user_id, started_at, metadata)
         values ($1, 'user-2', '2026-01-01T00:00:00Z', '{"platform":"web"}')`,
        [OTHER],
      );
      const fine = event(1101, '2026-01-01T00:00:00Z');
      expect(await failure([fine, { ...first, sessionId: OTHER }])).toEqual({
        code: '22023',
        message: `event ${first.id}: session ${OTHER} belongs to another user.`,
      });
      const { rows } = await db.sql.query(
        'select count(*)::int as n from factoredui.events where id = $1',
        [fine.id],
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('keeps the order of checks: the session comes before createdAt, constraints and limits', async () => {
      const missing = '00000000-0000-4000-8000-0000000000fd';
      const cases = [
        { ...event(1200, '2026-01-01T00:00:00Z', missing), type: 'no-such-type' },
        { ...event(1201, '2026-01-01T00:00:00Z', missing), payload: { big: 'x'.repeat(70_000) } },
        event(1202, '2026-13-45T00:00:00.000Z', missing),
        event(1203, '2026-01-01 00:00:00', missing),
        event(1204, '2026-01-01T00:00:00Z', OTHER),
      ];
      for (const bad of cases) {
        expect(await failure([event(1210, '2026-01-01T00:00:00Z'), bad])).toMatchObject({
          code: bad.sessionId === OTHER ? '22023' : 'P0002',
          message: expect.stringContaining(`session ${bad.sessionId}`),
        });
      }
      // Without the session problem, each is refused for its own reason.
      expect(
        await failure([{ ...event(1220, '2026-01-01T00:00:00Z'), type: 'no-such-type' }]),
      ).toMatchObject({
        code: '22023',
        message: expect.stringContaining('rejected by constraint'),
      });
      expect(
        await failure([
          { ...event(1221, '2026-01-01T00:00:00Z'), payload: { big: 'x'.repeat(70_000) } },
        ]),
      ).toMatchObject({ code: '22023', message: expect.stringContaining('eventPayloadBytes') });
      expect(await failure([event(1222, '2026-01-01 00:00:00')])).toEqual({
        code: '22023',
        message: 'createdAt must be an ISO 8601 time with a time zone, got "2026-01-01 00:00:00".',
      });
      const { rows } = await db.sql.query(
        'select count(*)::int as n from factoredui.events where id = $1',
        [event(1210, '').id],
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('attack: the path rule inlined in the CHECK and in insert_events is the old is_component_path, path by path', async () => {
      // The definition before 20261128000300 (segments unnested in a subquery), as the oracle.
      const oracle = `select p is not null and char_length(p) between 1 and 512 and p !~ '[\\x01-\\x1f\\x7f]'
        and array_length(string_to_array(p, '/'), 1) <= 4
        and not exists (select 1 from unnest(string_to_array(p, '/')) s
                        where btrim(s, E' \\t\\u00a0\\u2028\\u2029\\ufeff') = '') as ok`;
      const paths = [
        'a',
        'shop/cart/checkout',
        'a/b/c/d',
        'a/b/c/d/e',
        '/a',
        'a/',
        'a//b',
        ' ',
        'a/ /b',
        'a/\t/b',
        'a/\u00a0\u2028\u2029\ufeff/b',
        'a/\u00a0x/b',
        ' a / b ',
        'a\u0001b',
        'a\u007fb',
        'a\u0080b',
        'a\nb',
        '\u3000',
        'x'.repeat(512),
        'x'.repeat(513),
        '',
        '////',
        'a/b/c/\ufeff',
        'é/ü/ß',
        '🙂/🙃',
      ];
      let n = 5000;
      for (const path of paths) {
        const expected = (await db.sql.query(oracle.replace(/\bp\b/g, '$1::text'), [path])).rows[0]
          ?.ok;
        const fn = (await db.sql.query('select factoredui.is_component_path($1) as ok', [path]))
          .rows[0]?.ok;
        expect({ path, fn }).toEqual({ path, fn: expected });
        n += 1;
        const rpc = await insert([{ ...event(n, '2026-01-01T00:00:00Z'), path }]).then(
          () => true,
          () => false,
        );
        expect({ path, rpc }).toEqual({ path, rpc: expected });
        n += 1;
        const direct = await db.sql
          .query(
            `insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
             values ($1, $2, 'user-1', 'click', $3, '{}', now())`,
            [event(n, '').id, SESSION, path],
          )
          .then(
            () => true,
            (error: { code?: string }) => {
              expect(['23514', '22023']).toContain(error.code);
              return false;
            },
          );
        expect({ path, direct }).toEqual({ path, direct: expected });
      }
    });
  });
}

insertSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  insertSuite('PostgreSQL server', () => createServerDatabase('insert_events'));
});
