import {
  FACTOR_CATALOG,
  type GovernanceThreshold,
  type ReleasedAssignedCohort,
  releaseAssignedCount,
  releaseVariantRow,
  statisticsReleasePairs,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const EXPERIMENT = '00000000-0000-4000-8000-00000000e001';
const PATH = 'shop/checkout/pay-form/submit';
const users = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `u${String(from + i).padStart(3, '0')}`);

/** Runs assigned-count releases of one variant in order; returns each published count. */
function counts(...sets: string[][]): number[] {
  const history: ReleasedAssignedCohort[] = [];
  let previous = 0;
  return sets.map((members) => {
    const { assigned, cohort } = releaseAssignedCount({
      experimentId: EXPERIMENT,
      variantKey: 'control',
      members,
      history,
      previous,
    });
    if (cohort) history.push(cohort);
    previous = assigned;
    return assigned;
  });
}

describe('releaseAssignedCount (DESIGN §15: enrolment counts cannot be differenced)', () => {
  it('never publishes 1 to 4 users', () => {
    expect(counts(users(1, 1), users(1, 4), users(1, 5))).toEqual([0, 0, 5]);
  });

  it('attack: one to four newcomers repeat the previous count; five move it', () => {
    expect(
      counts(users(1, 6), users(1, 7), users(1, 8), users(1, 10), users(1, 11), users(1, 12)),
    ).toEqual([6, 6, 6, 6, 11, 11]);
  });

  it('checks against every earlier published set, not only the last one', () => {
    // 1-10 published, then 1-15 published; 1-12 differs from 1-10 by 2: never published.
    expect(counts(users(1, 10), users(1, 15), users(1, 12))).toEqual([10, 15, 15]);
  });

  it('counts a set, not a list, and keeps variants and experiments apart', () => {
    const history: ReleasedAssignedCohort[] = [
      { experimentId: EXPERIMENT, variantKey: 'treatment', members: users(1, 6) },
    ];
    const result = releaseAssignedCount({
      experimentId: EXPERIMENT,
      variantKey: 'control',
      members: [...users(1, 7), 'u001'],
      history,
      previous: 0,
    });
    expect(result.assigned).toBe(7);
    expect(result.cohort?.members).toEqual(users(1, 7));
  });

  it('releaseVariantRow carries the released count, also on a repeated row', () => {
    const contributions = users(1, 6).map((userId, i) => ({ userId, x: null, y: i }));
    const first = releaseVariantRow({
      experimentId: EXPERIMENT,
      variantKey: 'control',
      factor: 'rage_click_count',
      path: PATH,
      users: contributions,
      history: [],
      previous: null,
      assigned: 6,
    });
    expect(first.row).toMatchObject({ assigned: 6, n: 6 });
    const repeated = releaseVariantRow({
      experimentId: EXPERIMENT,
      variantKey: 'control',
      factor: 'rage_click_count',
      path: PATH,
      users: [...contributions, { userId: 'u007', x: null, y: 9 }],
      history: first.cohort ? [first.cohort] : [],
      previous: first.row,
      assigned: 11,
    });
    expect(repeated.cohort).toBeNull();
    expect(repeated.row).toEqual({ ...first.row, assigned: 11 });
  });
});

describe('statisticsReleasePairs', () => {
  const threshold = (overrides: Partial<GovernanceThreshold>): GovernanceThreshold => ({
    id: '00000000-0000-4000-8000-0000000007e5',
    experimentId: null,
    factor: 'rage_click_count',
    path: null,
    operator: 'lte',
    value: -1,
    ...overrides,
  });

  it('releases every catalog factor on the path, then every threshold path of the experiment', () => {
    const pairs = statisticsReleasePairs({ id: EXPERIMENT, path: PATH }, [
      threshold({ path: 'shop/z' }),
      threshold({ factor: 'error_rate', path: 'shop/a', experimentId: EXPERIMENT }),
      threshold({ factor: 'rage_click_count', path: 'shop/a' }),
      threshold({ path: PATH }),
      threshold({ path: 'shop/other', experimentId: '00000000-0000-4000-8000-00000000e002' }),
      threshold({ path: 'shop/z' }),
    ]);
    expect(pairs.slice(0, FACTOR_CATALOG.length)).toEqual(
      FACTOR_CATALOG.map((d) => ({ factor: d.name, path: PATH })),
    );
    const rage = FACTOR_CATALOG.findIndex((d) => d.name === 'rage_click_count');
    const errors = FACTOR_CATALOG.findIndex((d) => d.name === 'error_rate');
    const onA = [
      { factor: 'rage_click_count', path: 'shop/a', index: rage },
      { factor: 'error_rate', path: 'shop/a', index: errors },
    ]
      .sort((a, b) => a.index - b.index)
      .map(({ factor, path }) => ({ factor, path }));
    expect(pairs.slice(FACTOR_CATALOG.length)).toEqual([
      ...onA,
      { factor: 'rage_click_count', path: 'shop/z' },
    ]);
  });
});
