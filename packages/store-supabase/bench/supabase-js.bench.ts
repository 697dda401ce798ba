/**
 * Cost of the supabase-js transport over direct SQL, on the same PGlite database: one store
 * call through real supabase-js, HTTP and the PostgREST-compatible test endpoint (JWT check,
 * role switch, function call) versus the same SQL function called directly. The difference is
 * the transport overhead a browser pays per call, minus real network latency.
 */
import { PGlite } from '@electric-sql/pglite';
import { createEventId, type FactoredEvent, type FactoredStore } from '@factoredui/core';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import { migrate } from '../src/migrate.js';
import { createPostgresStore } from '../src/postgres/gateway.js';
import { createSupabaseStore } from '../src/supabase-js/store.js';
import { startPostgrestServer } from '../test/support/postgrest.js';
import { userClient } from '../test/support/postgrest-clients.js';

const USER = '00000000-0000-4000-8000-0000000be4c0';
const SESSION = '00000000-0000-4000-8000-0000000be5e5';
const BATCH = 50;

function batch(): FactoredEvent[] {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, i) => ({
    id: createEventId(),
    sessionId: SESSION,
    userId: USER,
    type: 'click' as const,
    path: 'shop/checkout/pay/submit',
    payload: { x: i },
    createdAt: new Date(now + i).toISOString(),
  }));
}

/** Median ms per call of `fn` over `runs` calls after `warmup` calls. */
async function medianMs(fn: () => Promise<unknown>, runs: number, warmup = 10): Promise<number> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

async function measure(name: string, store: FactoredStore): Promise<BenchRecord[]> {
  const listMs = await medianMs(() => store.listSessions({ limit: 10 }), 200);
  const insertMs = await medianMs(() => store.insertEvents(batch()), 100);
  return [
    {
      name: `listSessions, ${name}`,
      value: listMs * 1000,
      unit: 'µs/op',
      better: 'lower',
      notes: 'median of 200',
    },
    {
      name: `insertEvents (${BATCH} events), ${name}`,
      value: insertMs * 1000,
      unit: 'µs/op',
      better: 'lower',
      notes: 'median of 100',
    },
  ];
}

const suite: BenchSuite = {
  title: 'Supabase store: supabase-js transport vs direct SQL (PGlite)',
  async run() {
    const db = new PGlite();
    await migrate(db, { bootstrap: true });
    const server = await startPostgrestServer({ db });
    try {
      const direct = createPostgresStore(db, { as: { userId: USER } });
      await direct.startSession({
        id: SESSION,
        userId: USER,
        startedAt: new Date().toISOString(),
        metadata: { platform: 'web' },
      });
      const viaSupabase = createSupabaseStore(await userClient(server, USER));
      return [
        ...(await measure('direct SQL', direct)),
        ...(await measure('supabase-js', viaSupabase)),
      ];
    } finally {
      await server.close();
      await db.close();
    }
  },
  ratios: [
    {
      label: 'listSessions: supabase-js / direct',
      numerator: 'listSessions, supabase-js',
      denominator: 'listSessions, direct SQL',
    },
    {
      label: 'insertEvents: supabase-js / direct',
      numerator: `insertEvents (${BATCH} events), supabase-js`,
      denominator: `insertEvents (${BATCH} events), direct SQL`,
    },
  ],
};

export default suite;
