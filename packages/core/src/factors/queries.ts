import type { ComponentPath } from '../capture/types.js';
import { assertComponentPath } from '../capture/validate.js';
import { FactoredError } from '../errors.js';
import { legacyCall, withLegacyRowAliases } from '../legacy/calls.js';
import type { FactoredStore } from '../store/contract.js';
import type { TimeInput } from '../util/time.js';
import { assertFactorNames, FACTOR_NAMES, factorIndex } from './catalog.js';
import { isFactorName } from './names.js';
import type {
  ComponentFactorAggregate,
  FactorDelta,
  FactorName,
  FactorSnapshotValue,
  FactorValue,
} from './types.js';
import { normalizeTime } from './validate.js';

/** 0.5.1 field names of factor rows (deprecated aliases). */
const FACTOR_ROW_ALIASES = {
  factor_name: 'factor',
  component_path: 'path',
  user_id: 'userId',
  computed_at: 'asOf',
  snapshot_at: 'snapshotAt',
} as const;

/** Optional filters of the factor queries. */
export interface FactorQueryOptions {
  /** Only these factors (each must be a catalog name, else `invalid_input`). */
  factors?: readonly FactorName[];
}

function assertUserId(userId: unknown, fn: string): asserts userId is string {
  if (typeof userId !== 'string' || userId === '') {
    throw new FactoredError('invalid_input', `${fn}: userId must be a non-empty string.`, {
      details: { field: 'userId' },
    });
  }
}

function checkFilters(
  fn: string,
  path: unknown,
  options: FactorQueryOptions | undefined,
): { path?: string; factors?: readonly FactorName[] } {
  if (path !== undefined) assertComponentPath(path, `${fn}: path`);
  assertFactorNames(options?.factors, `${fn}: factors`);
  return {
    ...(path === undefined ? {} : { path: path as string }),
    ...(options?.factors === undefined ? {} : { factors: options.factors }),
  };
}

/**
 * The current factor values of a user, optionally on one path only, sorted by path then factor
 * (catalog order).
 *
 * @example
 * ```ts
 * const values = await queryFactors(store, userId, 'checkout/review/payment-form');
 * const rate = values.find((v) => v.factor === 'completion_rate')?.value; // undefined: absent
 * ```
 */
export async function queryFactors(
  store: FactoredStore,
  userId: string,
  path?: ComponentPath,
  options?: FactorQueryOptions,
): Promise<FactorValue[]> {
  assertUserId(userId, 'queryFactors');
  return withLegacyRowAliases(
    await store.getFactors({ userId, ...checkFilters('queryFactors', path, options) }),
    'queryFactors() row',
    FACTOR_ROW_ALIASES,
  );
}

/**
 * Aggregates of every factor on a component path over all users (user count, mean, median,
 * p95, min, max, stddev). Factors with fewer than 5 users are withheld by the store, so the
 * result may be shorter than the catalog or empty.
 */
export async function queryComponentFactors(
  store: FactoredStore,
  path: ComponentPath,
  options?: FactorQueryOptions,
): Promise<ComponentFactorAggregate[]> {
  assertComponentPath(path, 'queryComponentFactors: path');
  return store.getComponentAggregates(checkFilters('queryComponentFactors', path, options));
}

/**
 * Snapshot values of a user on a path since a time (inclusive), oldest first. `path` may be
 * `undefined` for every path.
 */
export async function queryFactorHistory(
  store: FactoredStore,
  userId: string,
  path: ComponentPath | undefined,
  since: TimeInput,
  options?: FactorQueryOptions & { until?: TimeInput },
): Promise<FactorSnapshotValue[]> {
  // 0.5.1 overload: queryFactorHistory(store, userId, componentPath, factorName, since).
  const legacySince: unknown = options;
  if (
    isFactorName(since) &&
    (legacySince instanceof Date ||
      typeof legacySince === 'string' ||
      typeof legacySince === 'number')
  ) {
    return queryFactorHistory(store, userId, path, legacySince, { factors: [since] });
  }
  assertUserId(userId, 'queryFactorHistory');
  const filters = checkFilters('queryFactorHistory', path, options);
  const rows = await store.getFactorHistory({
    userId,
    ...filters,
    since: normalizeTime(since, 'queryFactorHistory: since'),
    ...(options?.until === undefined
      ? {}
      : { until: normalizeTime(options.until, 'queryFactorHistory: until') }),
  });
  return withLegacyRowAliases(rows, 'queryFactorHistory() row', FACTOR_ROW_ALIASES);
}

/**
 * How a user's factors on a path changed between two dates: for each factor, the closest
 * snapshot value at or before `from` and at or before `to`, and their difference (`null` when
 * either side has no snapshot). One entry per factor that has a value on either side, in
 * catalog order.
 *
 * @example
 * ```ts
 * const deltas = await queryFactorDelta(store, userId, 'shop/checkout', '2026-01-01', '2026-02-01');
 * ```
 */
export async function queryFactorDelta(
  store: FactoredStore,
  userId: string,
  path: ComponentPath,
  from: TimeInput,
  to: TimeInput,
  options?: FactorQueryOptions,
): Promise<FactorDelta[]> {
  if (isFactorName(from)) {
    legacyCall(
      'queryFactorDelta(store, userId, componentPath, factorName, before, after)',
      'queryFactorDelta(store, userId, path, from, to, { factors: [factorName] }), which returns one { factor, from, to, delta } per factor',
    );
  }
  assertUserId(userId, 'queryFactorDelta');
  assertComponentPath(path, 'queryFactorDelta: path');
  const filters = checkFilters('queryFactorDelta', path, options);
  const fromIso = normalizeTime(from, 'queryFactorDelta: from');
  const toIso = normalizeTime(to, 'queryFactorDelta: to');
  const [before, after] = await Promise.all([
    store.getClosestSnapshot({ userId, ...filters, at: fromIso }),
    store.getClosestSnapshot({ userId, ...filters, at: toIso }),
  ]);
  const fromBy = new Map(before.filter((v) => v.path === path).map((v) => [v.factor, v]));
  const toBy = new Map(after.filter((v) => v.path === path).map((v) => [v.factor, v]));
  const out: FactorDelta[] = [];
  for (const factor of FACTOR_NAMES) {
    const a = fromBy.get(factor);
    const b = toBy.get(factor);
    if (!a && !b) continue;
    out.push({
      factor,
      from: a?.value ?? null,
      to: b?.value ?? null,
      delta: a && b ? b.value - a.value : null,
      fromSnapshotAt: a?.snapshotAt ?? null,
      toSnapshotAt: b?.snapshotAt ?? null,
    });
  }
  return out.sort((x, y) => factorIndex(x.factor) - factorIndex(y.factor));
}
