import type { ComponentPath } from '../capture/types.js';
import type {
  ClusterAssignment,
  ComponentFactorAggregate,
  FactorName,
  FactorSnapshotValue,
  FactorValue,
} from '../factors/types.js';

/** Factors capability: current values, aggregates, history, closest snapshot. */
export interface FactorCapability {
  /** Current factor values of a user, optionally for one path and/or factor. */
  getFactors(query: {
    userId: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
  }): Promise<FactorValue[]>;

  /**
   * Aggregates per path and factor over the current values. Paths with fewer than 5 users
   * are omitted (k-anonymity, enforced by the store).
   */
  getComponentAggregates(query?: {
    path?: ComponentPath;
    factors?: readonly FactorName[];
  }): Promise<ComponentFactorAggregate[]>;

  /** Snapshot values of a user since a time (inclusive), ordered by `snapshotAt`. */
  getFactorHistory(query: {
    userId: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
    since: string;
    until?: string;
  }): Promise<FactorSnapshotValue[]>;

  /** For each (path, factor) of the user, the latest snapshot value at or before `at`. */
  getClosestSnapshot(query: {
    userId: string;
    path?: ComponentPath;
    factors?: readonly FactorName[];
    at: string;
  }): Promise<FactorSnapshotValue[]>;
}

/** Clusters capability. */
export interface ClusterCapability {
  /** The user's cluster, or `null` when clusters were never computed for them. */
  getUserCluster(userId: string): Promise<ClusterAssignment | null>;
  /** Members of a cluster (service role sees all; a user store sees only itself). */
  getClusterMembers(clusterId: number): Promise<ClusterAssignment[]>;
}
