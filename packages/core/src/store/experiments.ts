import type { ComponentPath } from '../capture/types.js';
import type {
  Assignment,
  AssignmentRequest,
  Experiment,
  ExperimentDefinition,
  ExperimentDefinitionChanges,
  ExperimentStatus,
  ExperimentSummaryFilters,
  ExperimentVariantSummary,
  Exposure,
  Holdout,
} from '../experiments/types.js';

/**
 * Experiments capability: definitions, lifecycle, assignments, exposures.
 *
 * Division of labour: core decides (validation of definitions, which transitions are legal,
 * bucketing, targeting, exclusion); the store persists atomically and enforces the few
 * invariants that need atomicity (unique names, compare-and-set on status, one assignment per
 * user and experiment, one running experiment per user and path, one exposure per user,
 * experiment and session). Realtime: definition writes publish on topic `experiments` with the
 * experiment id as key; assignment and exposure writes publish on `assignments` with the user
 * id as key.
 *
 * Access (row-level security on Supabase): definitions are readable by every role except
 * `anon` (for whom they are invisible: empty lists, `not_found`), writable only by the service
 * role (`unauthorized` otherwise). A user store reads and
 * writes only its own assignments and exposures; the service role reads and writes all.
 */
export interface ExperimentCapability {
  /**
   * Stores a definition as a `draft` with a new UUID `id` and `createdAt` = now; `winner`,
   * `startedAt` and `endedAt` are `null`. The definition comes from core's
   * `validateExperimentDefinition` (stores may re-run it). Throws `conflict` when an experiment
   * with the same name exists (names are unique across all statuses), or when its layer slice
   * overlaps the slice of a draft or running experiment of the same layer (the message names
   * that experiment; `details.experimentId`), `unauthorized` unless service role.
   */
  insertExperiment(definition: ExperimentDefinition): Promise<Experiment>;

  /**
   * Replaces fields of an experiment whose status is still `expectedStatus` (compare-and-set:
   * `conflict` otherwise, so a definition can never change under a concurrent start). Core's
   * `updateExperiment` decides which fields may change in which status and validates the
   * merged definition. Throws `not_found`, `conflict` (status changed, the new name is taken,
   * or the new layer slice overlaps another draft or running experiment's), `unauthorized`
   * unless service role. `changes.layer: null` removes the layer slice.
   */
  updateExperiment(
    id: string,
    update: { expectedStatus: ExperimentStatus; changes: ExperimentDefinitionChanges },
  ): Promise<Experiment>;

  /**
   * Sets the project's holdout (one per store), stamping `updatedAt` with the store's clock.
   * The input comes from core's `validateHoldout` (stores re-check it: `invalid_input`).
   * Already-assigned users keep their assignments. `unauthorized` unless service role.
   */
  setHoldout(holdout: { share: number; seed: string }): Promise<Holdout>;

  /**
   * The project's holdout, or `null` when none was set. Every signed-in role reads it (flag
   * clients need it to decide); `null` for `anon`, which learns nothing about experiments.
   */
  getHoldout(): Promise<Holdout | null>;

  /** Experiment by id or unique name. `not_found` otherwise (and for the `anon` role). */
  getExperiment(idOrName: string): Promise<Experiment>;

  /**
   * Experiments filtered by status and/or path, ordered by `createdAt`, then `id`. Empty for
   * the `anon` role.
   */
  listExperiments(query?: {
    status?: readonly ExperimentStatus[];
    path?: ComponentPath;
  }): Promise<Experiment[]>;

  /**
   * Moves an experiment from `from` to `to`: compare-and-set, `conflict` when its status is not
   * `from` (whatever `to` is; the legality of `from -> to` is checked by core). Sets `startedAt`
   * = now when `to` is `running`, `endedAt` = now when `to` is `concluded` or `stopped`, and
   * `winner` when given (concluding). Throws `not_found`, `unauthorized` unless service role.
   */
  transitionExperiment(
    id: string,
    change: { from: ExperimentStatus; to: ExperimentStatus; winner?: string },
  ): Promise<Experiment>;

  /**
   * Asks for the assignment of a user to an experiment and returns the stored one. The store
   * decides, not the caller (DESIGN §15):
   *
   * - Sticky: when (user, experiment) already has an assignment it is returned unchanged,
   *   whatever the request says (first write wins, also under concurrency; the loser of a race
   *   gets the winner's row).
   * - Otherwise the experiment must be `running` (`conflict` with `details.status`), the user
   *   must hold no assignment in another `running` experiment on the same component path
   *   (exclusion, checked atomically with the insert: `conflict` with `details.experimentId`),
   *   and for a user store the variant is the server's rule, core's `decideAssignment`: the
   *   experiment's factor rules against the user's stored factor values, then coverage, then
   *   the variant bucket (`conflict` with `details.cause` `targeting` or `coverage` when the
   *   rule leaves the user out). Platform lists and metadata rules are advisory (the client
   *   evaluates them; the store cannot verify what a device says about itself).
   * - A user store's `variantKey` is a prediction: `conflict` (with `details.variantKey`, the
   *   decided one) when it differs from the rule; its `assignedAt` is ignored and the store's
   *   clock is used. The service role may set `variantKey` (it must be a variant:
   *   `invalid_input`) and `assignedAt` (imports, backfills, fixtures); what it omits is
   *   decided as for a user.
   *
   * Throws `not_found` (unknown experiment), `invalid_input` (empty user id, a `variantKey`
   * that is not a variant), `unauthorized` for `anon` and when a user store asks for another
   * user.
   */
  recordAssignment(assignment: AssignmentRequest): Promise<Assignment>;

  /**
   * Assignments filtered by user and/or experiment, ordered by `assignedAt`, then experiment
   * id, then user id. A user store sees only its own rows (others' are silently absent, as
   * under row-level security); the service role sees all.
   */
  listAssignments(query?: { userId?: string; experimentId?: string }): Promise<Assignment[]>;

  /**
   * Records an exposure once per (user, experiment, session): `recorded: false` when one
   * existed (the stored row is unchanged). `sessionId` is any non-empty string (no foreign key:
   * flags also work without capture). Throws `not_found` when the user has no assignment in
   * the experiment, `conflict` when `variantKey` is not the assigned variant, `invalid_input`
   * for empty ids, `unauthorized` when a user store writes for another user.
   */
  recordExposure(exposure: Exposure): Promise<{ recorded: boolean }>;

  /**
   * Exposures filtered by user and/or experiment, ordered by `exposedAt`, then session id,
   * user id, experiment id.
   * Visibility as {@link ExperimentCapability.listAssignments}.
   */
  listExposures(query?: { userId?: string; experimentId?: string }): Promise<Exposure[]>;
}

/**
 * Dashboard summaries: one row per variant with distinct assigned and exposed user counts.
 * Counts are over the rows visible to the caller (the service role counts everyone; a user
 * store counts only itself), like a `security_invoker` view.
 */
export interface DashboardCapability {
  /**
   * One row per variant of every matching experiment, experiments ordered by `createdAt` then
   * `id`, variants in definition order. Experiments without assignments have zero counts.
   */
  getExperimentSummaries(query?: ExperimentSummaryFilters): Promise<ExperimentVariantSummary[]>;
  /** One row per variant of one experiment (by id). `not_found` when missing. */
  getExperimentSummary(experimentId: string): Promise<ExperimentVariantSummary[]>;
}
