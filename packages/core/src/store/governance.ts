import type { ComponentPath } from '../capture/types.js';
import type { FactorName } from '../factors/types.js';
import type {
  GovernanceLogEntry,
  GovernanceThreshold,
  GovernanceVerdict,
  VariantSufficientStatistics,
} from '../governance/types.js';
import type { FactorCapability } from './factors.js';

/**
 * Governance capability: thresholds, per-variant sufficient statistics, and the append-only
 * governance log. Statistics and verdicts live in core (`runGovernanceCheck`); the store only
 * aggregates where the data is and keeps the record.
 *
 * Roles: thresholds, the log and sufficient statistics are readable by every role (user
 * stores included: dashboards show them; statistics are k-anonymous for non-service roles);
 * writing thresholds and appending to the log require the service role (`unauthorized`
 * otherwise). Writes to the log announce a change on
 * the realtime topic `governance` with the experiment id as key; threshold writes announce
 * `governance` without a key.
 */
export interface GovernanceCapability {
  /**
   * Creates or replaces (by `id`) a threshold and returns it as stored, with `scale` filled in
   * (`absolute` when omitted). Validates with `assertValidThreshold` (`invalid_input`: unknown
   * or structural factor, operator or sign against the factor's direction, bad path, non-UUID
   * ids). `not_found` when `experimentId` names no experiment. Service role.
   */
  upsertThreshold(threshold: GovernanceThreshold): Promise<GovernanceThreshold>;

  /**
   * Thresholds sorted by id. With `experimentId`: that experiment's own thresholds and the
   * global ones (`experimentId: null`); without: all. Every returned threshold has `scale`.
   */
  listThresholds(query?: { experimentId?: string }): Promise<GovernanceThreshold[]>;

  /**
   * Per-variant sufficient statistics of one factor of one experiment at time `at`. Exact
   * semantics (every store must give identical numbers):
   *
   * - `path` defaults to the experiment's path; `factor` must be a catalog name and `path` a
   *   valid component path, `at` an ISO 8601 time (`invalid_input` otherwise).
   * - Population: the experiment's assignments with `assignedAt <= at`.
   * - `y` of a user: the value of the snapshot row (user, path, factor) with the greatest
   *   `snapshotAt` such that `assignedAt < snapshotAt <= at`. A user with no such row is
   *   left out of every sum (not counted in `n`).
   * - `x` of a user: the value of the row (user, path, factor) with the greatest `snapshotAt`
   *   such that `snapshotAt <= assignedAt`. A user with `y` but no `x` counts in `n`, `sumY`,
   *   `sumY2` only.
   * - Per variant: `assigned` = the population's users in the variant (with or without y);
   *   `n` = users with y; `sumY`, `sumY2` over them; `nX` = users with both; `sumX`, `sumX2`,
   *   `sumXY`, `sumYWithX` (Σy) over those. Sums in float8 (IEEE double).
   * - One row per variant of the experiment's definition, in definition order, including
   *   variants with no users (all zeros).
   * - The service role gets these exact numbers at any `at`, or, with `released: true`, the
   *   released rows described next (what the governance sweep decides on and logs).
   * - Every other role reads **released** statistics only (DESIGN §15, k-anonymity that
   *   cannot be differenced; `released` is implied): the rows of the latest
   *   {@link GovernanceCapability.releaseStatistics} at or before `at` for (experiment,
   *   factor, path), or one all-zero row per variant when there is none. Moving `at` within
   *   two releases, or by a millisecond, gives the same answer; a path or factor that was
   *   never released gives zeros. The release rules (core's `releaseVariantRow` and
   *   `releaseAssignedCount`) keep every row over at least 5 users and every two released
   *   rows of a variant from differing by 1 to 4 users, in the sums and in `assigned`.
   *
   * `not_found` for an unknown experiment; the `anon` role gets the error `getExperiment`
   * gives it, so it learns nothing about experiments it cannot see by name. Any role.
   */
  getSufficientStatistics(query: {
    experimentId: string;
    factor: FactorName;
    path?: ComponentPath;
    at: string;
    /**
     * Read the released rows even as the service role (default false: exact numbers for the
     * service). Other roles always read released rows.
     */
    released?: boolean;
  }): Promise<VariantSufficientStatistics[]>;

  /**
   * Releases the sufficient statistics non-service roles may read (DESIGN §15): for every
   * `running` experiment and every (factor, path) of core's `statisticsReleasePairs` (every
   * catalog factor on the experiment's path, and every other path a threshold of the
   * experiment names), computes the rows at `at` and publishes them under core's
   * `releaseVariantRow` rules (a row over 1..4 users, or differing from any earlier released
   * row of the variant by 1..4 users, repeats the variant's previous release instead). Each
   * row's `assigned` is the variant's released count (`releaseAssignedCount`: computed once
   * per variant and release, under the same rule), never the exact one. Idempotent per
   * (experiment, factor, path, `at`). Run it on a schedule (the Supabase pg_cron job does it
   * hourly with the refresh); the governance sweep also releases at its evaluation time.
   *
   * The same call releases the component aggregates non-service roles read
   * ({@link FactorCapability.getComponentAggregates}): computed over the current factor values
   * under core's `releaseComponentAggregates` rules (an aggregate over 1..4 users, or whose
   * users or values differ from any earlier released aggregate of the (path, factor) by 1..4
   * users, repeats the previous release instead). Idempotent per `at`.
   *
   * Returns how many (experiment, factor) releases were written (`released`) and how many
   * aggregates the new aggregate release holds (`aggregates`; 0 when `at` was already
   * released). Service role (`unauthorized` otherwise); `invalid_input` for a bad `at`.
   */
  releaseStatistics(options: { at: string }): Promise<{ released: number; aggregates: number }>;

  /**
   * Appends a row to the governance log and returns it as stored (equal to the input). The
   * log is append-only: no method updates or deletes rows. Validates with
   * `assertValidGovernanceLogEntry` (`invalid_input`); `conflict` when the id exists;
   * `not_found` when the experiment does not. Service role.
   */
  appendGovernanceLog(entry: GovernanceLogEntry): Promise<GovernanceLogEntry>;

  /**
   * Log rows, newest first: in reverse append order (SQL: an identity column), not by
   * `evaluatedAt`, because the log is a journal of what was decided when. Filtered by
   * experiment and/or verdict; at most `limit` rows (a positive integer, else
   * `invalid_input`). Readable by every role.
   */
  listGovernanceLog(query?: {
    experimentId?: string;
    verdict?: GovernanceVerdict;
    limit?: number;
  }): Promise<GovernanceLogEntry[]>;
}
