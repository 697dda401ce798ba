import type { ComponentPath } from '../capture/types.js';
import type {
  ClusterAssignment,
  ComponentFactorAggregate,
  FactorName,
  FactorSnapshotValue,
  FactorValue,
} from '../factors/types.js';
import type { GovernanceCapability } from './governance.js';

/**
 * Factors capability: current values, component aggregates, snapshot history and closest
 * snapshot. The definitions are DESIGN §5 and the reference engine (`computeFactors`); the
 * shared fixtures of `@factoredui/core/testing` pin them for every store.
 *
 * Common rules for every method:
 * - `path` must be a valid component path and every entry of `factors` a catalog name, else
 *   `invalid_input`; times are ISO 8601 strings, else `invalid_input`.
 * - Visibility is row-level, like RLS: a user store sees only its own user's rows; asking for
 *   another user's rows returns nothing (not an error). The service role sees every user.
 * - An absent factor (zero denominator, mean over nothing) has no row; there is never a row
 *   with a `null` or `NaN` value.
 * - Results are sorted by user id, then path (code-unit order, `COLLATE "C"` in SQL), then
 *   factor in catalog order, unless a method says otherwise.
 */
export interface FactorCapability {
  /**
   * Current factor values: those written by the last `recomputeFactors` (all share its
   * `asOf`). `userId` omitted: every visible user (a user store: itself). Optionally
   * restricted to one path and/or some factors. Nothing computed yet: `[]`.
   */
  getFactors(query?: {
    userId?: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
  }): Promise<FactorValue[]>;

  /**
   * Aggregates per (path, factor) over the current values of **all** users, readable by any
   * role (k-anonymous): user_count, mean, median and p95 (`percentile_cont`), min, max and
   * `stddev_samp`. A (path, factor) whose values come from fewer than 5 distinct users is
   * omitted (enforced by the store, never by the caller). Sorted by path, then factor in
   * catalog order.
   *
   * The service role gets these live numbers. Every other role reads the **released**
   * aggregates only (DESIGN §15, k-anonymity that cannot be differenced): those of the latest
   * {@link GovernanceCapability.releaseStatistics}, filtered by `path` and `factors`, or `[]`
   * before the first release. Core's `releaseComponentAggregates` keeps every released
   * aggregate over at least 5 users and every two released aggregates of a (path, factor)
   * from differing by 1 to 4 users (in membership or in values), so reading before and after
   * a refresh reveals nobody.
   */
  getComponentAggregates(query?: {
    path?: ComponentPath;
    factors?: readonly FactorName[];
  }): Promise<ComponentFactorAggregate[]>;

  /**
   * Snapshot values of a user with `since <= snapshotAt` (and `snapshotAt <= until` when
   * given), sorted by `snapshotAt`, then path, then factor in catalog order.
   */
  getFactorHistory(query: {
    userId: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
    since: string;
    until?: string;
  }): Promise<FactorSnapshotValue[]>;

  /**
   * For each (path, factor) of the user, the value of the latest snapshot with
   * `snapshotAt <= at` (and `snapshotAt > after` when `after` is given) that holds a value
   * for it. A factor absent from the latest snapshot therefore resolves to an older one: look
   * at `snapshotAt` to judge staleness. Governance uses `at = assignedAt` for x and
   * `at = evaluation time, after = assignedAt` for y, so x and y never share a snapshot.
   * Sorted by path, then factor in catalog order.
   */
  getClosestSnapshot(query: {
    userId: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
    at: string;
    after?: string;
  }): Promise<FactorSnapshotValue[]>;
}

/** Clusters capability: the assignments last written by `storeClusters`. */
export interface ClusterCapability {
  /**
   * The user's cluster, or `null` when clusters were never computed for them or the user is
   * not visible to this store.
   */
  getUserCluster(userId: string): Promise<ClusterAssignment | null>;
  /**
   * Members of a cluster sorted by user id (service role sees all; a user store sees only
   * itself). An unknown cluster id gives `[]`; a negative or non-integer id `invalid_input`.
   */
  getClusterMembers(clusterId: number): Promise<ClusterAssignment[]>;
}
