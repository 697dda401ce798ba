import type { ComponentPath } from '../capture/types.js';
import type {
  Assignment,
  Experiment,
  ExperimentStatus,
  ExperimentVariantSummary,
  Exposure,
  NewExperiment,
} from '../experiments/types.js';

/** Experiments capability: definitions, lifecycle, assignments, exposures. */
export interface ExperimentCapability {
  /** Stores a validated definition as a draft. `conflict` when the name exists. Service role. */
  insertExperiment(definition: NewExperiment): Promise<Experiment>;

  /** Experiment by id or unique name. `not_found` otherwise. */
  getExperiment(idOrName: string): Promise<Experiment>;

  /** Experiments filtered by status and/or path, ordered by creation time. */
  listExperiments(query?: {
    status?: readonly ExperimentStatus[];
    path?: ComponentPath;
  }): Promise<Experiment[]>;

  /**
   * Moves an experiment from `from` to `to` (compare-and-set: `conflict` when its status is not
   * `from`). `winner` is set when concluding. Service role.
   */
  transitionExperiment(
    id: string,
    change: { from: ExperimentStatus; to: ExperimentStatus; winner?: string },
  ): Promise<Experiment>;

  /**
   * Records an assignment unless one exists for (user, experiment); returns the stored one
   * either way (first write wins, also under concurrency).
   */
  recordAssignment(assignment: Assignment): Promise<Assignment>;

  /** Assignments of a user (own only for user stores) or of an experiment (service role). */
  listAssignments(query: { userId?: string; experimentId?: string }): Promise<Assignment[]>;

  /** Records an exposure once per (user, experiment, session). `recorded: false` when it existed. */
  recordExposure(exposure: Exposure): Promise<{ recorded: boolean }>;

  /** Exposures filtered by user and/or experiment. */
  listExposures(query: { userId?: string; experimentId?: string }): Promise<Exposure[]>;
}

/** Dashboard summaries. */
export interface DashboardCapability {
  /** One row per variant of every matching experiment. */
  getExperimentSummaries(query?: {
    status?: readonly ExperimentStatus[];
    path?: ComponentPath;
  }): Promise<ExperimentVariantSummary[]>;
  /** One row per variant of one experiment. `not_found` when missing. */
  getExperimentSummary(experimentId: string): Promise<ExperimentVariantSummary[]>;
}
