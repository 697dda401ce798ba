import type { ComponentPath } from '../capture/types.js';

/** The factor names of DESIGN §5; the catalog in `factors/catalog.ts` describes each. */
export type FactorName =
  | 'completion_rate'
  | 'drop_off_rate'
  | 'error_rate'
  | 'retry_count'
  | 'rage_click_count'
  | 'dead_click_count'
  | 'scroll_reversal_count'
  | 'hesitation_ms'
  | 'component_depth'
  | 'sibling_count'
  | 'form_field_count';

/** One factor value for a user and component path, computed as of a time. */
export interface FactorValue {
  userId: string;
  path: ComponentPath;
  factor: FactorName;
  value: number;
  /** End of the window the value was computed over (ISO 8601 UTC). */
  asOf: string;
}

/** A factor value frozen in a snapshot. */
export interface FactorSnapshotValue extends FactorValue {
  /** When the snapshot was taken (equals `asOf` of the computation). */
  snapshotAt: string;
}

/** Aggregate of one factor over the users of one component path (never fewer than 5 users). */
export interface ComponentFactorAggregate {
  path: ComponentPath;
  factor: FactorName;
  userCount: number;
  mean: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  /** Sample standard deviation (`stddev_samp`); `null` when only one value. */
  stddev: number | null;
  asOf: string;
}

/** Options of a factor computation. */
export interface FactorWindow {
  /** End of the window (inclusive). ISO 8601. */
  asOf: string;
  /** Window length in milliseconds (default 7 days). */
  windowMs?: number;
}

/** A user's cluster membership. */
export interface ClusterAssignment {
  userId: string;
  clusterId: number;
  /** Distance to the cluster centroid in standardized units. */
  distance: number;
  computedAt: string;
}
