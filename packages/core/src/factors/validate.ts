import { assertComponentPath } from '../capture/validate.js';
import { FactoredError } from '../errors.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import { assertFactorNames } from './catalog.js';
import type { ClusterAssignment, FactorName } from './types.js';

/**
 * Validates the common filters of factor reads (used by every store, so they reject the same
 * input): `userId` a non-empty string when given, `path` a component path when given,
 * `factors` catalog names when given. Throws `invalid_input` naming the field.
 */
export function assertFactorFilters(query: {
  userId?: unknown;
  path?: unknown;
  factors?: unknown;
}): asserts query is { userId?: string; path?: string; factors?: readonly FactorName[] } {
  if (typeof query !== 'object' || query === null) {
    throw new FactoredError('invalid_input', 'the query must be an object.');
  }
  if (query.userId !== undefined && (typeof query.userId !== 'string' || query.userId === '')) {
    throw new FactoredError('invalid_input', 'userId must be a non-empty string.', {
      details: { field: 'userId' },
    });
  }
  if (query.path !== undefined) assertComponentPath(query.path, 'path');
  assertFactorNames(query.factors, 'factors');
}

/**
 * Normalizes a time argument to ISO 8601 UTC with milliseconds; throws `invalid_input` naming
 * `field` when it is not a date.
 */
export function normalizeTime(value: unknown, field: string): string {
  if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be an ISO 8601 date, got ${JSON.stringify(value)}.`,
      { details: { field } },
    );
  }
  return toIsoString(value as TimeInput, field);
}

/** Validates cluster assignments before they are stored; throws `invalid_input` on the first bad one. */
export function assertClusterAssignments(
  assignments: unknown,
): asserts assignments is readonly ClusterAssignment[] {
  if (!Array.isArray(assignments)) {
    throw new FactoredError('invalid_input', 'storeClusters expects an array of assignments.');
  }
  const seen = new Set<string>();
  for (const [index, item] of assignments.entries()) {
    const a = item as Partial<ClusterAssignment> | null;
    const where = `assignments[${index}]`;
    const fail: (what: string) => never = (what) => {
      throw new FactoredError('invalid_input', `${where}: ${what}.`, { details: { index } });
    };
    if (typeof a !== 'object' || a === null) fail('must be an object');
    if (typeof a.userId !== 'string' || a.userId === '') fail('userId must be a non-empty string');
    if (seen.has(a.userId as string)) fail(`user ${a.userId} appears twice`);
    seen.add(a.userId as string);
    if (!Number.isInteger(a.clusterId) || (a.clusterId as number) < 0)
      fail('clusterId must be a non-negative integer');
    if (typeof a.distance !== 'number' || !Number.isFinite(a.distance) || a.distance < 0)
      fail('distance must be a finite number >= 0');
    normalizeTime((a as Partial<ClusterAssignment>).computedAt, `${where}.computedAt`);
  }
}

/** Throws `invalid_input` unless `clusterId` is a non-negative integer. */
export function assertClusterId(clusterId: unknown): asserts clusterId is number {
  if (!Number.isInteger(clusterId) || (clusterId as number) < 0) {
    throw new FactoredError(
      'invalid_input',
      `clusterId must be a non-negative integer, got ${JSON.stringify(clusterId)}.`,
      { details: { field: 'clusterId' } },
    );
  }
}
