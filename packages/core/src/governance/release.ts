import { aggregateFactorValues } from '../factors/aggregates.js';
import { AGGREGATE_MIN_USERS, FACTOR_CATALOG, factorIndex } from '../factors/catalog.js';
import type { ComponentFactorAggregate, FactorName, FactorValue } from '../factors/types.js';
import { emptySufficientStatistics } from './analysis.js';
import type { GovernanceThreshold, VariantSufficientStatistics } from './types.js';

/** One assigned user's values in a statistics computation (`y` null: no value after assignment). */
export interface StatisticsContribution {
  userId: string;
  x: number | null;
  y: number | null;
}

/**
 * What a statistics release remembers of one published (not suppressed) variant row, so later
 * releases can be checked against it. Private to the service role: it names users.
 */
export interface ReleasedCohort {
  experimentId: string;
  variantKey: string;
  factor: string;
  path: string;
  /** Users contributing `y`, sorted. */
  members: string[];
  /** `userId U+001F y U+001F x` (x empty when withheld) per member, sorted. */
  contributions: string[];
}

const SEPARATOR = '\u001f';

/** Size of the symmetric difference of two sorted-or-not string lists (as sets). */
function symmetricDifference(a: readonly string[], b: readonly string[]): string[] {
  const setA = new Set(a);
  const setB = new Set(b);
  return [...a.filter((v) => !setB.has(v)), ...b.filter((v) => !setA.has(v))];
}

const tooFew = (count: number) => count > 0 && count < AGGREGATE_MIN_USERS;

/** Number of distinct users whose contribution (`userId U+001F ...`) differs between two lists. */
function changedUsers(a: readonly string[], b: readonly string[]): number {
  return new Set(symmetricDifference(a, b).map((c) => c.split(SEPARATOR)[0])).size;
}

/**
 * The one differencing rule of every release (DESIGN §15): a candidate cohort may be
 * published next to an earlier published one only when their member sets are equal or differ
 * by at least 5 users, and — when `compareValues` (same quantity) — when the users whose
 * contribution changed are none or at least 5.
 */
function differencedBy(
  earlier: { members: readonly string[]; contributions: readonly string[] },
  candidate: { members: readonly string[]; contributions: readonly string[] },
  compareValues: boolean,
): boolean {
  return (
    tooFew(symmetricDifference(earlier.members, candidate.members).length) ||
    (compareValues && tooFew(changedUsers(earlier.contributions, candidate.contributions)))
  );
}

/**
 * The (factor, path) pairs a statistics release covers for one running experiment, in release
 * order: every catalog factor on the experiment's path (catalog order), then every other path
 * named by a threshold that applies to the experiment (its own or a global one), by path (code
 * units), then catalog order. So the governance sweep, which reads the release made at its
 * time, finds a release for every threshold it evaluates. Stores release in exactly this
 * order: within one release, each row is checked against the rows published before it.
 */
export function statisticsReleasePairs(
  experiment: { id: string; path: string },
  thresholds: readonly GovernanceThreshold[],
): { factor: FactorName; path: string }[] {
  const pairs = FACTOR_CATALOG.map((d) => ({ factor: d.name, path: experiment.path }));
  const others = new Map<string, { factor: FactorName; path: string }>();
  for (const t of thresholds) {
    if (t.experimentId !== null && t.experimentId !== experiment.id) continue;
    const path = t.path ?? experiment.path;
    if (path === experiment.path) continue;
    others.set(`${path}${SEPARATOR}${t.factor}`, { factor: t.factor, path });
  }
  const extra = [...others.values()].sort((a, b) =>
    a.path !== b.path ? (a.path < b.path ? -1 : 1) : factorIndex(a.factor) - factorIndex(b.factor),
  );
  return [...pairs, ...extra];
}

/**
 * What a statistics release remembers of one published `assigned` count, so later releases can
 * be checked against it. Private to the service role: it names users.
 */
export interface ReleasedAssignedCohort {
  experimentId: string;
  variantKey: string;
  /** Users assigned to the variant at the release time, sorted. */
  members: string[];
}

/**
 * The `assigned` count a statistics release publishes for one variant (DESIGN §15): enrolment
 * counts obey the same rule as the sums, so no two counts a non-service role can read differ by
 * 1 to 4 users.
 *
 * The count of `members` (every user assigned to the variant at the release time) is published
 * when it is 0, or at least 5 and the member set differs from every earlier published assigned
 * set of the same experiment and variant by 0 or at least 5 users. Otherwise `previous` (the
 * variant's last published count, 0 when none) is repeated. Called once per variant and
 * release; every row of the release carries the result. Returns the count and, when it was
 * published, the cohort to remember.
 */
export function releaseAssignedCount(input: {
  experimentId: string;
  variantKey: string;
  /** Every user assigned to the variant at the release time. */
  members: readonly string[];
  /** Assigned cohorts published by earlier releases. */
  history: readonly ReleasedAssignedCohort[];
  /** The variant's last published count (0 when none). */
  previous: number;
}): { assigned: number; cohort: ReleasedAssignedCohort | null } {
  const { experimentId, variantKey } = input;
  const members = [...new Set(input.members)].sort();
  if (members.length === 0) return { assigned: 0, cohort: null };
  const publishable =
    !tooFew(members.length) &&
    !input.history.some(
      (h) =>
        h.experimentId === experimentId &&
        h.variantKey === variantKey &&
        tooFew(symmetricDifference(h.members, members).length),
    );
  if (!publishable) return { assigned: input.previous, cohort: null };
  return { assigned: members.length, cohort: { experimentId, variantKey, members } };
}

/**
 * Builds the row a statistics release publishes for one variant (DESIGN §15, "k-anonymity
 * cannot be differenced"). Non-service roles only ever read released rows, so these rules are
 * the whole guarantee:
 *
 * 1. Within the row: no sum over fewer than 5 users (`n` in 1..4 suppresses the row), and the
 *    covariate part is withheld when `nX` is in 1..4 or when the users with `y` but no `x`
 *    number 1..4 (else `sumY - sumYWithX` would be their total).
 * 2. Against every earlier published cohort of the same experiment and variant: suppressed when
 *    the member sets differ by 1..4 users (any factor or path), or, for the same factor and
 *    path, when 1..4 users' contributions changed (a value moved between releases).
 *
 * A suppressed row repeats `previous` (the variant's last released row for the same factor and
 * path, which adds no information), or is all zeros when there is none. Every row carries
 * `assigned`, the released count of {@link releaseAssignedCount} (never the exact one). Returns
 * the row and, when it was published, the cohort to remember.
 */
export function releaseVariantRow(input: {
  experimentId: string;
  variantKey: string;
  factor: string;
  path: string;
  /** Every user assigned to the variant at the release time. */
  users: readonly StatisticsContribution[];
  /** Cohorts published by earlier releases (and earlier rows of this one). */
  history: readonly ReleasedCohort[];
  previous: VariantSufficientStatistics | null;
  /** The variant's released `assigned` count ({@link releaseAssignedCount}). */
  assigned: number;
}): { row: VariantSufficientStatistics; cohort: ReleasedCohort | null } {
  const { experimentId, variantKey, factor, path } = input;
  const row = emptySufficientStatistics(variantKey);
  row.assigned = input.assigned;
  const withY = input.users.filter((u) => u.y !== null);
  if (withY.length === 0) return { row, cohort: null };
  const nX = withY.filter((u) => u.x !== null).length;
  const withholdX = tooFew(nX) || tooFew(withY.length - nX);
  const members = withY.map((u) => u.userId).sort();
  const contributions = withY
    .map((u) =>
      [u.userId, String(u.y), withholdX || u.x === null ? '' : String(u.x)].join(SEPARATOR),
    )
    .sort();
  const differenced = input.history.some(
    (h) =>
      h.experimentId === experimentId &&
      h.variantKey === variantKey &&
      differencedBy(h, { members, contributions }, h.factor === factor && h.path === path),
  );
  if (tooFew(withY.length) || differenced) {
    return {
      row: input.previous ? { ...input.previous, assigned: input.assigned } : row,
      cohort: null,
    };
  }
  for (const { x, y } of withY) {
    const yv = y as number;
    row.n += 1;
    row.sumY += yv;
    row.sumY2 += yv * yv;
    if (x !== null && !withholdX) {
      row.nX += 1;
      row.sumX += x;
      row.sumX2 += x * x;
      row.sumXY += x * yv;
      row.sumYWithX += yv;
    }
  }
  return { row, cohort: { experimentId, variantKey, factor, path, members, contributions } };
}

/**
 * What an aggregate release remembers of one published (path, factor) aggregate, so later
 * releases can be checked against it. Private to the service role: it names users.
 */
export interface ReleasedAggregateCohort {
  path: string;
  factor: FactorName;
  /** Users with a value, sorted. */
  members: string[];
  /** `userId U+001F value` per member, sorted. */
  contributions: string[];
}

/**
 * Builds the component aggregates an aggregate release publishes (DESIGN §15, "k-anonymity
 * cannot be differenced"), from the current factor values (one per user, path and factor).
 * Per (path, factor), with the same rules as {@link releaseVariantRow}:
 *
 * 1. never an aggregate over fewer than 5 users;
 * 2. an aggregate whose user set differs by 1..4 users from any earlier published aggregate of
 *    the same (path, factor), or in which 1..4 users' values changed, is not published.
 *
 * A (path, factor) that may not be published repeats its aggregate from `previous` (the last
 * release, which adds no information), or is left out when `previous` has none; a (path,
 * factor) without any value is left out. Returns the aggregates in release order (path, then
 * catalog order) and the cohorts of the newly published ones, to remember in `history`.
 */
export function releaseComponentAggregates(input: {
  /** Current factor values of every user. */
  values: Iterable<FactorValue>;
  /** Cohorts published by earlier releases. */
  history: readonly ReleasedAggregateCohort[];
  /** The aggregates of the latest earlier release (`[]` when none). */
  previous: readonly ComponentFactorAggregate[];
}): { aggregates: ComponentFactorAggregate[]; cohorts: ReleasedAggregateCohort[] } {
  const groups = new Map<string, FactorValue[]>();
  for (const value of input.values) {
    const groupKey = `${value.path}${SEPARATOR}${value.factor}`;
    const group = groups.get(groupKey) ?? [];
    groups.set(groupKey, group);
    group.push(value);
  }
  const aggregates: ComponentFactorAggregate[] = [];
  const cohorts: ReleasedAggregateCohort[] = [];
  for (const group of groups.values()) {
    const first = group[0] as FactorValue;
    const { path, factor } = first;
    const members = group.map((v) => v.userId).sort();
    const contributions = group.map((v) => [v.userId, String(v.value)].join(SEPARATOR)).sort();
    const publishable =
      !tooFew(members.length) &&
      !input.history.some(
        (h) =>
          h.path === path &&
          h.factor === factor &&
          differencedBy(h, { members, contributions }, true),
      );
    const [live] = publishable ? aggregateFactorValues(group) : [];
    if (live) {
      aggregates.push(live);
      cohorts.push({ path, factor, members, contributions });
      continue;
    }
    const repeated = input.previous.find((a) => a.path === path && a.factor === factor);
    if (repeated) aggregates.push({ ...repeated });
  }
  // The order of aggregateFactorValues: path (code units), then catalog order.
  aggregates.sort((a, b) =>
    a.path !== b.path ? (a.path < b.path ? -1 : 1) : factorIndex(a.factor) - factorIndex(b.factor),
  );
  return { aggregates, cohorts };
}
