import { AGGREGATE_MIN_USERS } from '../factors/catalog.js';
import { emptySufficientStatistics } from './analysis.js';
import type { VariantSufficientStatistics } from './types.js';

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
 * path, which adds no information), or is all zeros with the exact `assigned` count when there
 * is none. Returns the row and, when it was published, the cohort to remember.
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
}): { row: VariantSufficientStatistics; cohort: ReleasedCohort | null } {
  const { experimentId, variantKey, factor, path } = input;
  const row = emptySufficientStatistics(variantKey);
  row.assigned = input.users.length;
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
      (tooFew(symmetricDifference(h.members, members).length) ||
        (h.factor === factor &&
          h.path === path &&
          tooFew(
            new Set(
              symmetricDifference(h.contributions, contributions).map((c) => c.split(SEPARATOR)[0]),
            ).size,
          ))),
  );
  if (tooFew(withY.length) || differenced) {
    return { row: input.previous ? { ...input.previous } : row, cohort: null };
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
