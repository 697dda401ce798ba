/**
 * What a SQL test file waits for before its first test: a migrated PGlite database made from
 * nothing (initdb + bootstrap + every migration, as every file did before) against one unpacked
 * from the prepared snapshot (what test/harness/pglite-snapshot.ts gives each file now). The
 * snapshot is built once per set of migrations and not counted here.
 */
import { PGlite } from '@electric-sql/pglite';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import { migrate } from '../src/migrate.js';
import { ensureSnapshot, pgliteFromSnapshot } from '../test/harness/pglite-snapshot.js';

const ROUNDS = 5;

async function timed(start: () => Promise<PGlite>): Promise<number> {
  const begin = performance.now();
  const db = await start();
  await db.query('select count(*) from factoredui.schema_migrations');
  const elapsed = performance.now() - begin;
  await db.close();
  return elapsed;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const suite: BenchSuite = {
  title: 'Test databases (SQL test file setup)',
  async run(): Promise<BenchRecord[]> {
    await ensureSnapshot('migrated');
    const fresh: number[] = [];
    const snapshot: number[] = [];
    // Interleaved, so both see the same machine load.
    for (let round = 0; round < ROUNDS; round += 1) {
      fresh.push(
        await timed(async () => {
          const db = new PGlite();
          await migrate(db, { bootstrap: true });
          return db;
        }),
      );
      snapshot.push(await timed(() => pgliteFromSnapshot('migrated')));
    }
    const spread = (values: number[]) =>
      `${ROUNDS} rounds, ${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))} ms`;
    return [
      {
        name: 'migrated PGlite from nothing (initdb + migrations)',
        value: median(fresh),
        unit: 'ms',
        better: 'lower',
        notes: spread(fresh),
      },
      {
        name: 'migrated PGlite from the prepared snapshot',
        value: median(snapshot),
        unit: 'ms',
        better: 'lower',
        notes: spread(snapshot),
      },
    ];
  },
  ratios: [
    {
      label: 'setup from nothing / from the snapshot',
      numerator: 'migrated PGlite from nothing (initdb + migrations)',
      denominator: 'migrated PGlite from the prepared snapshot',
    },
  ],
};

export default suite;
