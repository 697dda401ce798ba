import type { FactoredEvent } from '@factoredui/core';
import { TEST_USERS, testUuid } from '@factoredui/core/testing';
import { createPostgresStore } from '@factoredui/store-supabase';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServerDatabase, DATABASE_URL, type TestDatabase } from './harness/databases.js';
import { describeWhen } from './harness/requirements.js';

const CLIENTS = 20;
const EVENTS = 200;
const ROUNDS = 3;
const A = TEST_USERS.alice;
const SESSION = testUuid(0x5e5, 1);

/** A deterministic shuffle (xorshift32), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function events(round: number): FactoredEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    id: testUuid(0xe0 + round, i),
    sessionId: SESSION,
    userId: A,
    type: 'click' as const,
    path: 'shop/checkout/pay',
    payload: {},
    createdAt: new Date(Date.parse('2026-01-05T10:00:00.000Z') + i).toISOString(),
  }));
}

// DESIGN §15: writes that can race take locks in a fixed order. Concurrency needs a server:
// PGlite is one connection, so its calls never overlap and cannot deadlock (nothing to prove
// there).
const SERVER_URL = DATABASE_URL ?? '';
describeWhen(
  Boolean(DATABASE_URL),
  'needs DATABASE_URL: 20 concurrent connections to a PostgreSQL server (PGlite is a single connection, so its calls cannot overlap)',
)('insert_events under concurrency (PostgreSQL server)', () => {
  let db: TestDatabase;
  let clients: pg.Client[] = [];

  beforeAll(async () => {
    db = await createServerDatabase('insert_order');
    const { rows } = await db.sql.query('select current_database() as name');
    const url = new URL(SERVER_URL);
    url.pathname = `/${String(rows[0]?.name)}`;
    clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        return client;
      }),
    );
    await createPostgresStore(db.sql, { as: { userId: A } }).startSession({
      id: SESSION,
      userId: A,
      startedAt: '2026-01-05T10:00:00.000Z',
      metadata: { platform: 'web' },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await db?.close();
  });

  it(`${CLIENTS} concurrent batches of the same ${EVENTS} events in different orders never deadlock`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const batch = events(round);
      const results = await Promise.allSettled(
        clients.map((client, i) =>
          createPostgresStore(client, { as: { userId: A } }).insertEvents(
            shuffled(batch, 7919 * (round + 1) + i),
          ),
        ),
      );
      const failures = results.flatMap((r) =>
        r.status === 'rejected' ? [String((r.reason as Error).message)] : [],
      );
      expect(failures).toEqual([]);
      const fulfilled = results.map(
        (r) => (r as PromiseFulfilledResult<{ inserted: number; duplicates: number }>).value,
      );
      expect(fulfilled.reduce((sum, r) => sum + r.inserted, 0)).toBe(EVENTS);
      expect(fulfilled.reduce((sum, r) => sum + r.duplicates, 0)).toBe(EVENTS * (CLIENTS - 1));
    }
    const { rows } = await db.sql.query('select count(*)::int as n from factoredui.events');
    expect(rows[0]?.n).toBe(EVENTS * ROUNDS);
  });
});
