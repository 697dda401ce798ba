import { readFileSync } from 'node:fs';
import {
  bucketUser,
  decideAssignment,
  type Experiment,
  isHeldOut,
  layerBucket,
} from '@factoredui/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPGliteDatabase,
  createServerDatabase,
  DATABASE_URL,
  type TestDatabase,
} from './harness/databases.js';
import { describeWhen, NEEDS_DATABASE_URL } from './harness/requirements.js';

interface Vectors {
  murmur3_32: { input: string; seed: number; hash: number }[];
  buckets: { seed: string; userId: string; variantBucket: number; coverageBucket: number }[];
  assignments: {
    experiment: { seed: string; coverage: number; variants: { key: string; weight: number }[] };
    userId: string;
    variant: string | null;
  }[];
}

const vectors = JSON.parse(
  readFileSync(
    new URL('../../core/src/experiments/bucketing-vectors.json', import.meta.url),
    'utf8',
  ),
) as Vectors;

/** Rows of one statement, typed by the caller. */
async function rowsOf<T>(db: TestDatabase, text: string, params: unknown[]): Promise<T[]> {
  return (await db.sql.query(text, params)).rows as T[];
}

const hex = (input: string) => Buffer.from(new TextEncoder().encode(input)).toString('hex');

/**
 * The SQL mirror of core's bucketing (migration 20261127000100): the published vectors
 * replayed in SQL, and 100,000 users bucketed by one set-based statement equal to core.
 */
function bucketingSuite(name: string, open: () => Promise<TestDatabase>): void {
  describe(`bucketing in SQL (${name})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('reproduces every murmur3_32 vector (over the UTF-8 bytes, as core hashes)', async () => {
      // The inputs travel as UTF-8 hex: a text value cannot hold U+0000 or a lone surrogate,
      // and core hashes a lone surrogate as the UTF-8 of U+FFFD, which TextEncoder gives too.
      const inputs = vectors.murmur3_32.map((v) => ({ data: hex(v.input), seed: v.seed }));
      const rows = await rowsOf<{ hash: string }>(
        db,
        `select factoredui.murmur3_32(decode(v ->> 'data', 'hex'), (v ->> 'seed')::bigint)::text as hash
         from jsonb_array_elements($1::jsonb) with ordinality as t(v, ord) order by ord`,
        [JSON.stringify(inputs)],
      );
      expect(rows.map((r) => Number(r.hash))).toEqual(vectors.murmur3_32.map((v) => v.hash));
    });

    it('reproduces every variant and coverage bucket', async () => {
      const rows = await rowsOf<{ variant_bucket: number; coverage_bucket: number }>(
        db,

        `select factoredui.bucket(v ->> 'seed', v ->> 'userId', 0) as variant_bucket,
                factoredui.bucket(v ->> 'seed', v ->> 'userId', 1) as coverage_bucket
         from jsonb_array_elements($1::jsonb) with ordinality as t(v, ord) order by ord`,
        [JSON.stringify(vectors.buckets)],
      );
      expect(rows.map((r) => [r.variant_bucket, r.coverage_bucket])).toEqual(
        vectors.buckets.map((v) => [v.variantBucket, v.coverageBucket]),
      );
    });

    it('reproduces every assignment vector, coverage included', async () => {
      expect(vectors.assignments.some((a) => a.variant === null)).toBe(true);
      const rows = await rowsOf<{ variant: string | null }>(
        db,
        `select factoredui.bucket_user(v #>> '{experiment,seed}', (v #>> '{experiment,coverage}')::float8,
                  v #> '{experiment,variants}', v ->> 'userId') as variant
         from jsonb_array_elements($1::jsonb) with ordinality as t(v, ord) order by ord`,
        [JSON.stringify(vectors.assignments)],
      );
      expect(rows.map((r) => r.variant)).toEqual(vectors.assignments.map((v) => v.variant));
    });

    it('assigns 100,000 users exactly as core does (one set-based statement)', async () => {
      const experiment = {
        seed: 'trust-100k',
        coverage: 0.8,
        variants: [
          { key: 'control', weight: 34 },
          { key: 'b', weight: 33 },
          { key: 'c', weight: 33 },
        ],
      };
      const count = 100_000;
      const userId = (i: number) => `user-${i}-ü`;
      const rows = await rowsOf<{ variants: string }>(
        db,
        `select string_agg(coalesce(factoredui.bucket_user($1, $2, $3::jsonb, 'user-' || g || '-ü'), '-'), ',' order by g) as variants
         from generate_series(0, $4::int - 1) as g`,
        [experiment.seed, experiment.coverage, JSON.stringify(experiment.variants), count],
      );
      const sql = (rows[0]?.variants ?? '').split(',');
      const local = Array.from(
        { length: count },
        (_, i) => bucketUser(experiment, userId(i))?.key ?? '-',
      );
      expect(sql).toHaveLength(count);
      const mismatches = sql.flatMap((v, i) => (v === local[i] ? [] : [i]));
      expect(mismatches).toEqual([]);
      // Sanity: every arm and the coverage gap are populated.
      expect(new Set(sql)).toEqual(new Set(['control', 'b', 'c', '-']));
    }, 120_000);

    it('puts 20,000 users in layers exactly as core does: nobody in two experiments of a layer', async () => {
      // Three experiments of one layer on three paths (migration 20261202000100): the server's
      // decide_assignment against core's decideAssignment, one set-based statement.
      const layer = 'sql-layer-ü';
      const slices = [
        { name: 'sql-layer-a', path: 'shop/a', start: 0, end: 2000 },
        { name: 'sql-layer-b', path: 'shop/b', start: 2000, end: 5000 },
        { name: 'sql-layer-c', path: 'profile/c', start: 5000, end: 9000 },
      ];
      const variants = [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ];
      const experiments = [];
      for (const slice of slices) {
        const rows = await rowsOf<{ experiment: Experiment }>(
          db,
          `select factoredui.insert_experiment($1::jsonb) as experiment`,
          [
            JSON.stringify({
              name: slice.name,
              path: slice.path,
              variants,
              layer: { name: layer, start: slice.start, end: slice.end },
            }),
          ],
        );
        experiments.push(rows[0]?.experiment as Experiment);
      }
      const count = 20_000;
      const rows = await rowsOf<{ decided: string }>(
        db,
        `select string_agg(coalesce(d.variant, d.cause), ',' order by g, e.name) as decided
         from generate_series(0, $1::int - 1) as g
         cross join factoredui.experiments e
         cross join lateral factoredui.decide_assignment(e, 'user-' || g) as d
         where e.layer ->> 'name' = $2`,
        [count, layer],
      );
      const sql = (rows[0]?.decided ?? '').split(',');
      const byName = [...experiments].sort((a, b) => (a.name < b.name ? -1 : 1));
      const local: string[] = [];
      let inTwo = 0;
      const enrolled = [0, 0, 0];
      for (let i = 0; i < count; i++) {
        let inside = 0;
        for (const [index, e] of byName.entries()) {
          const decision = decideAssignment(e, `user-${i}`, []);
          local.push(decision.variant?.key ?? decision.cause ?? '?');
          if (decision.variant) {
            inside += 1;
            enrolled[index] = (enrolled[index] as number) + 1;
          }
        }
        if (inside > 1) inTwo += 1;
      }
      expect(sql).toHaveLength(count * 3);
      expect(sql.flatMap((v, i) => (v === local[i] ? [] : [i]))).toEqual([]);
      expect(inTwo).toBe(0);
      expect(new Set(sql)).toEqual(new Set(['control', 'treatment', 'layer']));
      // Shares follow the slices (20%, 30%, 40%) within 1 pp at this sample size.
      for (const [index, slice] of [...slices]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .entries()) {
        const share = (slice.end - slice.start) / 10_000;
        expect(Math.abs((enrolled[index] as number) / count - share)).toBeLessThan(0.01);
      }
      // The layer bucket itself, for ids that need UTF-8.
      const ids = ['a', 'ü', '日本', '🙂', ''];
      const buckets = await rowsOf<{ b: number }>(
        db,
        `select factoredui.bucket($1, id, 2) as b from unnest($2::text[]) with ordinality as t(id, ord) order by ord`,
        [layer, ids],
      );
      expect(buckets.map((r) => r.b)).toEqual(ids.map((id) => layerBucket(layer, id)));
    }, 120_000);

    it('holds out exactly the users core holds out (20,000 users, migration 20261202000200)', async () => {
      const holdout = { share: 0.1234, seed: 'sql-holdout-ü' };
      await db.sql.query(`select factoredui.set_holdout($1::jsonb)`, [JSON.stringify(holdout)]);
      const count = 20_000;
      const rows = await rowsOf<{ held: string }>(
        db,
        `select string_agg(case when factoredui.held_out('user-' || g || '-ü') then '1' else '0' end, '' order by g) as held
         from generate_series(0, $1::int - 1) as g`,
        [count],
      );
      const sql = rows[0]?.held ?? '';
      const local = Array.from({ length: count }, (_, i) =>
        isHeldOut(holdout, `user-${i}-ü`) ? '1' : '0',
      ).join('');
      expect(sql).toHaveLength(count);
      expect(sql).toBe(local);
      const share = [...local].filter((c) => c === '1').length / count;
      expect(Math.abs(share - holdout.share)).toBeLessThan(0.01);
      await db.sql.query(`delete from factoredui.holdout`);
    }, 120_000);

    it('the experiments table refuses malformed, overlapping and (while running) changed slices', async () => {
      const insert = (name: string, layer: unknown) =>
        db.sql.query(
          `insert into factoredui.experiments (name, path, variants, seed, layer)
           values ($1, 'raw/path', '[{"key":"control","weight":50},{"key":"b","weight":50}]', $1, $2::jsonb)`,
          [name, JSON.stringify(layer)],
        );
      const code = async (work: Promise<unknown>) => {
        try {
          await work;
        } catch (error) {
          return {
            code: (error as { code?: string }).code,
            message: String((error as Error).message),
          };
        }
        return { code: 'none', message: '' };
      };
      for (const [index, layer] of [
        'L',
        { name: '', start: 0, end: 1 },
        { name: 'raw\u0001', start: 0, end: 1 },
        { name: 'x'.repeat(201), start: 0, end: 1 },
        { name: 'raw', start: -1, end: 1 },
        { name: 'raw', start: 0.5, end: 1 },
        { name: 'raw', start: 3, end: 3 },
        { name: 'raw', start: 0, end: 10_001 },
        { name: 'raw', start: '0', end: 10 },
        { name: 'raw', start: 0, end: 10, extra: true },
      ].entries()) {
        const refused = await code(insert(`bad-${index}`, layer));
        expect(refused.code, JSON.stringify(layer)).toBe('22023');
      }
      await insert('raw-a', { name: 'raw', start: 0, end: 100 });
      const overlap = await code(insert('raw-b', { name: 'raw', start: 99, end: 200 }));
      expect(overlap.code).toBe('FU409');
      expect(overlap.message).toContain('raw-a');
      await insert('raw-b', { name: 'raw', start: 100, end: 200 });
      const moved = await code(
        db.sql.query(
          `update factoredui.experiments set layer = '{"name":"raw","start":50,"end":150}' where name = 'raw-b'`,
        ),
      );
      expect(moved.code).toBe('FU409');
      await db.sql.query(
        `update factoredui.experiments set status = 'running' where name = 'raw-b'`,
      );
      const frozen = await code(
        db.sql.query(
          `update factoredui.experiments set layer = '{"name":"raw","start":300,"end":400}' where name = 'raw-b'`,
        ),
      );
      expect(frozen.code).toBe('FU409');
      expect(frozen.message).toContain('cannot change');
    });
  });
}

bucketingSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  bucketingSuite('PostgreSQL server', () => createServerDatabase('bucketing'));
});
