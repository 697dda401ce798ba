/**
 * `refresh_factors` at scale: the SQL factor engine over 100k and 1M events on PGlite, and
 * 5M events on a PostgreSQL server when DATABASE_URL is set. Seeding dominates the wall time
 * (about 15 minutes on 2 shared cores with the server part); the figures are refresh only. Events are generated in SQL
 * (10 paths, ~20 events per user, 2 sessions per user, every event type, spread over the
 * 7-day window) so generation cost stays out of the measurement.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import type { PostgresConnection } from '../src/postgres/connection.js';
import { createPostgresStore } from '../src/postgres/gateway.js';
import { migrate } from '../src/postgres/migrate.js';

const AS_OF = '2026-01-08T00:00:00.000Z';
const TYPES = [
  'impression',
  'click',
  'click',
  'scroll',
  'input',
  'submit',
  'navigation',
  'error',
  'rage_click',
  'dead_click',
  'scroll_reversal',
  'focus',
  'blur',
  'custom',
];

async function seed(sql: PostgresConnection, events: number): Promise<void> {
  const users = Math.max(1, Math.floor(events / 20));
  const sessions = users * 2;
  await sql.query(
    'truncate factoredui.pair_factors, factoredui.events, factoredui.sessions cascade',
  );
  await sql.query(
    `insert into factoredui.sessions (id, user_id, started_at, metadata)
     select md5('s' || g)::uuid, 'user-' || (g % $1), $2::timestamptz - interval '7 days', '{"platform":"web"}'
     from generate_series(0, $3 - 1) g`,
    [users, AS_OF, sessions],
  );
  // Batches keep PGlite's memory flat.
  const batch = 250_000;
  for (let start = 0; start < events; start += batch) {
    const end = Math.min(events, start + batch) - 1;
    await sql.query(
      `insert into factoredui.events (id, session_id, user_id, type, path, payload, created_at)
       select md5('e' || g)::uuid, md5('s' || (g % $1))::uuid, 'user-' || ((g % $1) % $2),
              ($3::text[])[1 + (g * 7 + g / 13) % $4],
              'shop/page-' || (g % 10) || '/component/element',
              case when g % 3 = 0 then jsonb_build_object('action', 'complete', 'component_depth', g % 7)
                   else '{}'::jsonb end,
              $5::timestamptz - ((g * 7919) % 604800000) * interval '1 millisecond'
       from generate_series($6::bigint, $7::bigint) g`,
      [sessions, users, TYPES, TYPES.length, AS_OF, start, end],
    );
  }
  await sql.query('analyze factoredui.events');
}

async function measure(
  sql: PostgresConnection,
  events: number,
  label: string,
): Promise<BenchRecord[]> {
  await seed(sql, events);
  const service = createPostgresStore(sql, { as: 'service' });
  const runs: number[] = [];
  let values = 0;
  let users = 0;
  for (let i = 0; i < (events >= 1_000_000 ? 1 : 2); i += 1) {
    const t0 = performance.now();
    const result = await service.recomputeFactors({ asOf: AS_OF });
    runs.push(performance.now() - t0);
    values = result.values;
    users = result.users;
  }
  runs.sort((a, b) => a - b);
  const ms = runs[Math.floor(runs.length / 2)] as number;
  const n = events.toLocaleString('en-US');
  return [
    {
      name: `refresh_factors, ${n} events (${label})`,
      value: ms,
      unit: 'ms',
      better: 'lower',
      notes: `${users.toLocaleString('en-US')} users, ${values.toLocaleString('en-US')} values, median of ${runs.length}`,
    },
    {
      name: `refresh_factors throughput, ${n} events (${label})`,
      value: events / (ms / 1000),
      unit: 'events/s',
      better: 'higher',
    },
  ];
}

const suite: BenchSuite = {
  title: 'SQL factor refresh (store-supabase)',
  async run() {
    const records: BenchRecord[] = [];
    const lite = new PGlite();
    await migrate(lite, { bootstrap: true });
    records.push(...(await measure(lite, 100_000, 'PGlite')));
    records.push(...(await measure(lite, 1_000_000, 'PGlite')));
    await lite.close();

    const url = process.env.DATABASE_URL;
    if (url) {
      const name = `factoredui_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const target = new URL(url);
      target.pathname = `/${name}`;
      const pool = new pg.Pool({ connectionString: target.toString(), max: 2 });
      try {
        await migrate(pool, { bootstrap: true });
        records.push(...(await measure(pool, 5_000_000, 'PostgreSQL')));
      } finally {
        await pool.end();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
    return records;
  },
};

export default suite;
