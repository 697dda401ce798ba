import type { FactoredEvent, Session } from '../capture/types.js';
import type { Assignment, Exposure } from '../experiments/types.js';
import type { ClusterAssignment, FactorSnapshotValue, FactorValue } from '../factors/types.js';

/**
 * How many rows of one user a store holds, per table. The same keys are used by
 * {@link LifecycleCapability.exportUser} (rows exported) and
 * {@link LifecycleCapability.eraseUser} (rows removed), so the two can be compared.
 */
export interface UserDataCounts {
  sessions: number;
  events: number;
  /** Current factor values. */
  factors: number;
  factorSnapshots: number;
  /** 0 or 1: the user's cluster assignment. */
  clusters: number;
  assignments: number;
  exposures: number;
  /**
   * Entries naming the user in the service-only cohorts of published releases (statistics and
   * component aggregates). Erasure replaces the user's id there by a random token, so the
   * release rules keep counting the user as a member of what was published (see
   * {@link LifecycleCapability.eraseUser}).
   */
  releaseCohorts: number;
}

/** One cohort of a published release that names the user (service-only bookkeeping). */
export type ReleaseCohortMembership =
  | {
      kind: 'statistics';
      experimentId: string;
      variantKey: string;
      factor: string;
      path: string;
    }
  | { kind: 'aggregates'; path: string; factor: string }
  /** A published `assigned` count of a variant counted the user. */
  | { kind: 'assigned'; experimentId: string; variantKey: string };

/** Everything a store holds about one user, as returned by {@link LifecycleCapability.exportUser}. */
export interface UserDataExport {
  /** Format of this document; bumped on incompatible changes. */
  format: 'factoredui.user-export.v1';
  userId: string;
  /** When the export was taken (the store's clock), ISO 8601. */
  exportedAt: string;
  /** Rows per table; equal to the lengths of the arrays below. */
  counts: UserDataCounts;
  /** Newest first, as `listSessions`. */
  sessions: Session[];
  /** By `createdAt`, then `id`, as `listEvents`. */
  events: FactoredEvent[];
  /** Sorted as `getFactors`. */
  factors: FactorValue[];
  /** Sorted by `snapshotAt`, then path and factor, as `getFactorHistory`. */
  factorSnapshots: FactorSnapshotValue[];
  /** The user's cluster assignment, if any (zero or one entry). */
  clusters: ClusterAssignment[];
  /** Sorted as `listAssignments`. */
  assignments: Assignment[];
  /** Sorted as `listExposures`. */
  exposures: Exposure[];
  /** The published-release cohorts that count the user (sorted by kind, then keys). */
  releaseCohorts: ReleaseCohortMembership[];
}

/** Who asked for an erasure. */
export type ErasureSource =
  /** A service-role caller (`eraseUser`, the CLI `factoredui erase`). */
  | 'service'
  /** The user's own request (`request_erasure` on Supabase), carried out by the service. */
  | 'user_request'
  /** The Supabase auth user was deleted (the optional `auth.users` trigger). */
  | 'auth_user_deleted';

/**
 * The audit entry of one erasure. It holds no personal data: the user is named only by
 * `subjectHash`, a salted SHA-256 of the id (the salt is a random secret of the store, never
 * returned), so the log does not reveal whom it is about, while the service can still answer
 * "was this user erased?" with `listErasures({ userId })`.
 */
export interface ErasureRecord {
  /** UUID of the entry. */
  id: string;
  /** Lowercase hex SHA-256 of `salt + U+001F + userId`. */
  subjectHash: string;
  /** Rows removed per table (`releaseCohorts`: entries pseudonymized). */
  counts: UserDataCounts;
  /** ISO 8601, the store's clock. */
  erasedAt: string;
  source: ErasureSource;
}

/** A pending erasure request of the signed-in user ({@link LifecycleCapability.requestErasure}). */
export interface ErasureRequest {
  /** When the pending request was first made (ISO 8601, the store's clock). */
  requestedAt: string;
}

/** Result of {@link LifecycleCapability.pruneEvents}. */
export interface PruneResult {
  /** Events with `createdAt` before this time were removed (`asOf - retentionDays`). */
  cutoff: string;
  /** The retention applied, in days. */
  retentionDays: number;
  /** Raw events removed. */
  events: number;
  /** Sessions removed: started before `cutoff` and left without any event. */
  sessions: number;
}

/**
 * Data lifecycle (DESIGN §19): erasure and export of one user's data (GDPR/CCPA erasure and
 * access requests) and the retention of raw events. Every method but
 * {@link LifecycleCapability.requestErasure} is service role only and throws `unauthorized`
 * for user and anonymous stores; all throw `invalid_input` for a malformed argument. Append-only tables (events, snapshots) stay append-only for every other caller:
 * only these operations remove rows from them.
 */
export interface LifecycleCapability {
  /**
   * Everything the store holds about `userId`, as JSON: sessions, events, current factors,
   * factor snapshots, cluster, assignments, exposures and the published-release cohorts that
   * name the user: exactly the rows {@link LifecycleCapability.eraseUser} removes or
   * pseudonymizes (same counts). An unknown user gives an export with every count 0.
   */
  exportUser(userId: string): Promise<UserDataExport>;

  /**
   * Erases `userId`'s data atomically: sessions, events, current factors, snapshots, cluster
   * membership, assignments and exposures are deleted, and the user's id in the cohorts of
   * published releases is replaced by a random token (the published aggregates themselves, over
   * at least 5 users, are kept: recomputing them without the user would publish two results
   * that differ by exactly that user). The governance log holds no user ids and is kept.
   * Appends an {@link ErasureRecord} with no personal data and returns it. Erasing a user with
   * no data still writes an entry (all counts 0): the request was honoured.
   *
   * Afterwards nothing of the user is returned by any method, and every later release keeps
   * counting the erased user as a member of what was already published, so no release differs
   * from an earlier one by that user alone.
   */
  eraseUser(userId: string): Promise<ErasureRecord>;

  /**
   * The erasure audit log, newest first; with `userId`, only the entries of that user (matched
   * by the salted hash). `limit`: a positive integer (default all).
   */
  listErasures(query?: { userId?: string; limit?: number }): Promise<ErasureRecord[]>;

  /**
   * Retention: removes raw events with `createdAt < asOf - retentionDays` days, and sessions
   * started before that cutoff that no longer have any event. Factors, snapshots, clusters,
   * assignments, exposures and releases are kept. `asOf` defaults to now; `retentionDays`
   * (a positive integer) to the store's setting: `invalid_input` when neither is set.
   */
  pruneEvents(options?: { asOf?: string; retentionDays?: number }): Promise<PruneResult>;

  /**
   * A **user store** asks for the erasure of its own user's data (the id is the store's
   * identity, never an argument). The request is queued for the service
   * ({@link LifecycleCapability.processErasureRequests}); a user has at most one pending
   * request, so asking again returns the pending one unchanged. `unauthorized` for anonymous
   * and service stores.
   */
  requestErasure(): Promise<ErasureRequest>;

  /**
   * Service role: erases every user with a pending request, oldest request first (at most
   * `limit`, a positive integer), each as {@link LifecycleCapability.eraseUser} with source
   * `user_request`, and removes the requests. Returns the audit entries, in order. Any
   * erasure also removes a pending request of the erased user.
   */
  processErasureRequests(options?: { limit?: number }): Promise<ErasureRecord[]>;
}
