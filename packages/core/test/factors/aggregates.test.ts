import {
  AGGREGATE_MIN_USERS,
  aggregateFactorValues,
  FactoredError,
  type FactorValue,
  percentileCont,
  stddevSamp,
  summarize,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

// Reference values computed with PostgreSQL 16:
//   select percentile_cont(array[0.5, 0.95]) within group (order by x), stddev_samp(x)
//   from unnest(array[...]) x;
describe('percentileCont (PostgreSQL percentile_cont)', () => {
  it('matches PostgreSQL on 1..10', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileCont(xs, 0.5)).toBe(5.5);
    expect(percentileCont(xs, 0.95)).toBeCloseTo(9.55, 12);
    expect(percentileCont(xs, 0)).toBe(1);
    expect(percentileCont(xs, 1)).toBe(10);
  });
  it('interpolates between closest ranks and returns the value itself for one element', () => {
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileCont([10, 20], 0.95)).toBeCloseTo(19.5, 12);
    expect(percentileCont([7], 0.95)).toBe(7);
  });
  it('rejects an empty list and a fraction outside [0, 1]', () => {
    expect(() => percentileCont([], 0.5)).toThrow(FactoredError);
    expect(() => percentileCont([1], 1.5)).toThrow(/fraction/);
    expect(() => percentileCont([1], Number.NaN)).toThrow(FactoredError);
  });
});

describe('stddevSamp (PostgreSQL stddev_samp)', () => {
  it('uses the n - 1 divisor', () => {
    expect(stddevSamp([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 12);
    expect(stddevSamp([1, 1, 1])).toBe(0);
  });
  it('is null for fewer than two values, like SQL NULL', () => {
    expect(stddevSamp([3])).toBeNull();
    expect(stddevSamp([])).toBeNull();
  });
});

describe('summarize', () => {
  it('gives every statistic regardless of input order', () => {
    expect(summarize([600, 100, 500, 200, 400, 300])).toEqual({
      count: 6,
      mean: 350,
      median: 350,
      p95: 575,
      min: 100,
      max: 600,
      stddev: Math.sqrt(175000 / 5),
    });
  });
});

const value = (user: number, path: string, v: number, factor = 'error_rate'): FactorValue => ({
  userId: `user-${user}`,
  path,
  factor: factor as FactorValue['factor'],
  value: v,
  asOf: '2026-01-08T00:00:00.000Z',
});

describe('aggregateFactorValues (k-anonymity)', () => {
  it('withholds a (path, factor) with fewer than 5 users and shows one with 5', () => {
    expect(AGGREGATE_MIN_USERS).toBe(5);
    const four = [1, 2, 3, 4].map((u) => value(u, 'a/b', u / 10));
    expect(aggregateFactorValues(four)).toEqual([]);
    const five = [...four, value(5, 'a/b', 0.5)];
    const [agg] = aggregateFactorValues(five);
    expect(agg).toMatchObject({
      path: 'a/b',
      factor: 'error_rate',
      userCount: 5,
      min: 0.1,
      max: 0.5,
    });
    expect(agg?.mean).toBeCloseTo(0.3, 12);
    expect(agg?.median).toBeCloseTo(0.3, 12);
    expect(agg?.p95).toBeCloseTo(0.48, 12);
    expect(agg?.stddev).toBeCloseTo(0.15811388300841897, 12);
  });
  it('cannot be lowered below 5 by the caller, but can be raised', () => {
    const four = [1, 2, 3, 4].map((u) => value(u, 'a/b', u));
    expect(aggregateFactorValues(four, { minUsers: 1 })).toEqual([]);
    const five = [1, 2, 3, 4, 5].map((u) => value(u, 'a/b', u));
    expect(aggregateFactorValues(five, { minUsers: 6 })).toEqual([]);
  });
  it('sorts by path then catalog order and rejects two values of one user', () => {
    const rows = [1, 2, 3, 4, 5].flatMap((u) => [
      value(u, 'b/x', u, 'hesitation_ms'),
      value(u, 'b/x', u, 'completion_rate'),
      value(u, 'a/x', u, 'error_rate'),
    ]);
    expect(aggregateFactorValues(rows).map((a) => `${a.path} ${a.factor}`)).toEqual([
      'a/x error_rate',
      'b/x completion_rate',
      'b/x hesitation_ms',
    ]);
    expect(() => aggregateFactorValues([value(1, 'a/b', 1), value(1, 'a/b', 2)])).toThrow(
      /two values/,
    );
  });
});
