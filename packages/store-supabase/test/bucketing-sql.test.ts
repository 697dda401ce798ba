import { readFileSync } from 'node:fs';
import { bucketUser } from '@factoredui/core';
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
  });
}

bucketingSuite('PGlite', createPGliteDatabase);
describeWhen(Boolean(DATABASE_URL), NEEDS_DATABASE_URL)('on a server', () => {
  bucketingSuite('PostgreSQL server', () => createServerDatabase('bucketing'));
});
