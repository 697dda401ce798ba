import type { ClusterAssignment } from '../factors/types.js';

/** Maintenance capability for server/admin roles. User stores throw `unauthorized`. */
export interface MaintenanceCapability {
  /**
   * Recomputes current factor values of every (user, path) with events in the window ending
   * at `asOf` (default window 7 days), replacing the previous current values.
   */
  recomputeFactors(options: {
    asOf: string;
    windowMs?: number;
  }): Promise<{ users: number; values: number }>;

  /** Freezes the current factor values as an immutable snapshot taken at `asOf`. */
  snapshotFactors(options: { asOf: string }): Promise<{ values: number }>;

  /** Replaces stored cluster assignments with `assignments`. */
  storeClusters(assignments: readonly ClusterAssignment[]): Promise<void>;
}
