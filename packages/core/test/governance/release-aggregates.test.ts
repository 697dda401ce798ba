import {
  aggregateFactorValues,
  type ComponentFactorAggregate,
  type FactorValue,
  type ReleasedAggregateCohort,
  releaseComponentAggregates,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const PATH = 'shop/checkout/pay-form/submit';
const OTHER = 'shop/catalog/grid/card';
const AS_OF = '2026-03-02T00:00:00.000Z';

function values(
  users: readonly [number, number][],
  path = PATH,
  factor: FactorValue['factor'] = 'error_rate',
): FactorValue[] {
  return users.map(([n, value]) => ({ userId: `u${n}`, path, factor, value, asOf: AS_OF }));
}

const range = (from: number, to: number, value: (n: number) => number): [number, number][] =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, value(from + i)]);

/** Runs releases in order, each over the given values, and returns what each published. */
function releases(...inputs: FactorValue[][]): ComponentFactorAggregate[][] {
  const history: ReleasedAggregateCohort[] = [];
  let previous: ComponentFactorAggregate[] = [];
  return inputs.map((input) => {
    const { aggregates, cohorts } = releaseComponentAggregates({
      values: input,
      history,
      previous,
    });
    history.push(...cohorts);
    previous = aggregates;
    return aggregates;
  });
}

describe('releaseComponentAggregates (DESIGN §15)', () => {
  it('publishes the live aggregate of a new (path, factor) over at least 5 users', () => {
    const input = values(range(1, 6, (n) => n / 10));
    const [first] = releases(input);
    expect(first).toEqual(aggregateFactorValues(input));
  });

  it('never publishes over 1-4 users, and leaves out a (path, factor) with no earlier release', () => {
    const [first] = releases(values(range(1, 4, (n) => n)));
    expect(first).toEqual([]);
  });

  it('repeats the previous aggregate when 1-4 users join, leave or change value', () => {
    const base = values(range(1, 6, (n) => n));
    const joined = values(range(1, 7, (n) => n));
    const left = values(range(1, 5, (n) => n));
    const changed = values(range(1, 6, (n) => (n === 2 ? 20 : n)));
    const [first, ...rest] = releases(base, joined, left, changed);
    expect(rest).toEqual([first, first, first]);
  });

  it('compares with every earlier published aggregate, not only the last one', () => {
    // 6 users, then 11 (5 newcomers: published), then users 1-5, 12 and 13: 8 away from the
    // last release, but only 3 away from the first (user 6 left, 12 and 13 joined).
    const [first, second, third] = releases(
      values(range(1, 6, (n) => n)),
      values(range(1, 11, (n) => n)),
      values([...range(1, 5, (n) => n), [12, 12], [13, 13]]),
    );
    expect(first?.[0]?.userCount).toBe(6);
    expect(second?.[0]?.userCount).toBe(11);
    expect(third).toEqual(second);
  });

  it('publishes again once at least 5 users differ, and keeps (path, factor) pairs apart', () => {
    const [first, second] = releases(
      [
        ...values(range(1, 6, (n) => n)),
        ...values(
          range(1, 5, (n) => n),
          OTHER,
        ),
      ],
      // PATH: 5 values change (published); OTHER: one newcomer (repeated).
      [
        ...values(range(1, 6, (n) => (n <= 5 ? n * 2 : n))),
        ...values(
          range(1, 6, (n) => n),
          OTHER,
        ),
      ],
    );
    expect(first?.map((a) => [a.path, a.userCount])).toEqual([
      [OTHER, 5],
      [PATH, 6],
    ]);
    expect(second?.find((a) => a.path === OTHER)).toEqual(first?.find((a) => a.path === OTHER));
    expect(second?.find((a) => a.path === PATH)?.mean).not.toBe(
      first?.find((a) => a.path === PATH)?.mean,
    );
  });
});
