import type { ClusterAssignment } from '../factors/types.js';

/**
 * Maintenance capability for server/admin roles. Every method throws `unauthorized` for user
 * and anonymous stores, and `invalid_input` for a malformed argument (an `asOf` that is not
 * an ISO 8601 date, a non-positive `windowMs`).
 *
 * Both factor methods compute from the stored events with the DESIGN §5 definitions: an
 * event counts when `asOf - windowMs < createdAt <= asOf` (default window 7 days), so events
 * after `asOf` are never seen and results are reproducible.
 */
export interface MaintenanceCapability {
  /**
   * Recomputes the current factor values as of `asOf` and atomically replaces **all**
   * previous current values (a (user, path) with no event in the new window has no current
   * values afterwards). Returns the number of distinct users and of values written.
   */
  recomputeFactors(options: {
    asOf: string;
    windowMs?: number;
  }): Promise<{ users: number; values: number }>;

  /**
   * Computes factor values as of `asOf` from the events (independently of the current
   * values) and freezes them as an immutable snapshot with `snapshotAt = asOf`.
   *
   * Idempotent per `asOf`: when values with `snapshotAt = asOf` already exist, nothing is
   * written and `created` is `false` (a retried job never changes a snapshot, even if late
   * events arrived since). A snapshot of an empty window stores no values, so it leaves no
   * trace and a later call at the same `asOf` may still create values. `values` is the number
   * of values the snapshot holds.
   */
  snapshotFactors(options: {
    asOf: string;
    windowMs?: number;
  }): Promise<{ values: number; created: boolean }>;

  /**
   * Atomically replaces all stored cluster assignments with `assignments` (one per user;
   * `clusterId` a non-negative integer, `distance` finite and >= 0, `computedAt` ISO 8601;
   * otherwise `invalid_input` and nothing changes).
   */
  storeClusters(assignments: readonly ClusterAssignment[]): Promise<void>;
}
