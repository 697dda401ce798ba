import { FactoredError } from '../errors.js';
import { AGGREGATE_MIN_USERS, factorIndex } from './catalog.js';
import type { ComponentFactorAggregate, FactorName, FactorValue } from './types.js';

/**
 * Percentile of ascending `sorted` values by linear interpolation between closest ranks, as
 * PostgreSQL's `percentile_cont(fraction)`: position `fraction * (n - 1)`, interpolated
 * between the values at its floor and ceiling. Throws `invalid_input` for an empty list or a
 * fraction outside [0, 1].
 */
export function percentileCont(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    throw new FactoredError('invalid_input', 'percentileCont needs at least one value.');
  }
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new FactoredError(
      'invalid_input',
      `percentileCont: fraction must be in [0, 1], got ${fraction}.`,
    );
  }
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  if (lower === upper) return low;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/**
 * Sample standard deviation (divisor n - 1), as PostgreSQL's `stddev_samp`; `null` for fewer
 * than two values. Two-pass for accuracy.
 */
export function stddevSamp(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return Math.sqrt(squares / (n - 1));
}

/** Descriptive statistics of a list of numbers, as {@link summarize} returns them. */
export interface NumericSummary {
  count: number;
  mean: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  /** `stddev_samp`; `null` for a single value. */
  stddev: number | null;
}

/** Count, mean, median, p95, min, max and sample standard deviation of `values` (non-empty). */
export function summarize(values: readonly number[]): NumericSummary {
  if (values.length === 0) {
    throw new FactoredError('invalid_input', 'summarize needs at least one value.');
  }
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    median: percentileCont(sorted, 0.5),
    p95: percentileCont(sorted, 0.95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    stddev: stddevSamp(sorted),
  };
}

/** Options of {@link aggregateFactorValues}. */
export interface AggregateOptions {
  /**
   * Withhold aggregates over fewer distinct users than this. Default and minimum
   * {@link AGGREGATE_MIN_USERS} (5): k-anonymity cannot be lowered.
   */
  minUsers?: number;
}

/**
 * Component aggregates of factor values, per (path, factor): user count, mean, median, p95,
 * min, max and sample standard deviation. A (path, factor) with values from fewer than
 * `minUsers` distinct users is omitted. Each user contributes one value per (path, factor);
 * the values must all share one `asOf` (current values do). Sorted by path, then factor in
 * catalog order.
 */
export function aggregateFactorValues(
  values: Iterable<FactorValue>,
  options: AggregateOptions = {},
): ComponentFactorAggregate[] {
  const minUsers = Math.max(AGGREGATE_MIN_USERS, options.minUsers ?? AGGREGATE_MIN_USERS);
  const groups = new Map<
    string,
    { path: string; factor: FactorName; asOf: string; byUser: Map<string, number> }
  >();
  for (const value of values) {
    const groupKey = `${value.path}\u0000${value.factor}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { path: value.path, factor: value.factor, asOf: value.asOf, byUser: new Map() };
      groups.set(groupKey, group);
    }
    if (group.byUser.has(value.userId)) {
      throw new FactoredError(
        'invalid_input',
        `aggregateFactorValues: user ${value.userId} has two values for ${value.factor} on ${value.path}; pass one computation's values.`,
      );
    }
    group.byUser.set(value.userId, value.value);
  }
  const out: ComponentFactorAggregate[] = [];
  for (const group of groups.values()) {
    if (group.byUser.size < minUsers) continue;
    const s = summarize([...group.byUser.values()]);
    out.push({
      path: group.path,
      factor: group.factor,
      userCount: s.count,
      mean: s.mean,
      median: s.median,
      p95: s.p95,
      min: s.min,
      max: s.max,
      stddev: s.stddev ?? 0,
      asOf: group.asOf,
    });
  }
  return out.sort((a, b) =>
    a.path !== b.path ? (a.path < b.path ? -1 : 1) : factorIndex(a.factor) - factorIndex(b.factor),
  );
}
