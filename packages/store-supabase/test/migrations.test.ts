import { PGlite } from '@electric-sql/pglite';
import { FACTOR_CATALOG } from '@factoredui/core';
import { migrate, readMigrations } from '@factoredui/store-supabase/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('migrations (PGlite)', () => {
  let db: PGlite;
  let applied: string[];
  beforeAll(async () => {
    db = new PGlite();
    applied = await migrate(db, { bootstrap: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies every shipped migration once, in name order', async () => {
    const names = readMigrations().map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(applied).toEqual([...names].sort());
    expect(await migrate(db, { bootstrap: true })).toEqual([]);
  });

  it('every migration file can run again unchanged (idempotent DDL)', async () => {
    for (const migration of readMigrations()) await db.exec(migration.sql);
    const { rows } = await db.query<{ n: number }>(
      'select count(*)::int as n from factoredui.factor_catalog',
    );
    expect(rows[0]?.n).toBe(FACTOR_CATALOG.length);
  });

  it('attack: NaN and ±Infinity are refused in every stored factor value and threshold', async () => {
    const codeOf = async (statement: string, value: string) => {
      try {
        await db.query(statement, [value]);
        return 'ok';
      } catch (error) {
        return String((error as { code?: unknown }).code);
      }
    };
    const path = 'shop/checkout/pay/submit';
    const writes = [
      `insert into factoredui.factors (user_id, path, factor, value, as_of)
       values ('u-finite', '${path}', 'error_rate', $1, now())`,
      `insert into factoredui.pair_factors (user_id, path, as_of, error_rate)
       values ('u-finite', '${path}', now(), $1)`,
      `insert into factoredui.factor_snapshots (user_id, path, factor, value, snapshot_at)
       values ('u-finite', '${path}', 'error_rate', $1, now())`,
      `insert into factoredui.thresholds (id, factor, operator, value)
       values (gen_random_uuid(), 'error_rate', 'lt', $1)`,
    ];
    // PostgreSQL orders NaN equal to itself: a CHECK of \`value = value\` let it through.
    for (const statement of writes) {
      for (const value of ['NaN', 'Infinity', '-Infinity'])
        expect(await codeOf(statement, value), `${value}: ${statement}`).toBe('23514');
    }
    expect(await codeOf(writes[2] as string, '0.25')).toBe('ok');
    expect(await codeOf(writes[3] as string, '0.25')).toBe('ok');
  });

  it('the SQL factor catalog mirrors FACTOR_CATALOG of core (names, order, tier, direction, unit)', async () => {
    const { rows } = await db.query(
      'select name, tier, direction, unit from factoredui.factor_catalog order by ordinal',
    );
    expect(rows).toEqual(
      FACTOR_CATALOG.map((f) => ({
        name: f.name,
        tier: f.tier,
        direction: f.direction,
        unit: f.unit,
      })),
    );
  });

  it('skips the optional parts where pg_cron and the realtime publication are missing', async () => {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_extension where extname = 'pg_cron'`,
    );
    expect(rows[0]?.n).toBe(0);
    // The migration that holds them applied without error (checked above); the refresh
    // function the schedule would call exists for manual or external scheduling.
    const fn = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'factoredui' and p.proname = 'refresh_and_snapshot'`,
    );
    expect(fn.rows[0]?.n).toBe(1);
  });

  it('enables row-level security on every table of the schema', async () => {
    const { rows } = await db.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'factoredui' and c.relkind = 'r' and not c.relrowsecurity
         and c.relname <> 'schema_migrations'`,
    );
    expect(rows).toEqual([]);
  });
});
