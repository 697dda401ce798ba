import type { ComponentPath } from '../capture/types.js';

/** The factor names of DESIGN §5; {@link FACTOR_CATALOG} describes each. */
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

/**
 * How urgent a factor is: `alarm` (something is wrong), `diagnostic` (what the user went
 * through), `structural` (what the component physically is).
 */
export type FactorTier = 'alarm' | 'diagnostic' | 'structural';

/**
 * Which way is better: `higher`, `lower`, or `null` for structural factors, which describe a
 * component and have no better direction (governance never thresholds them).
 */
export type FactorDirection = 'higher' | 'lower' | null;

/** Unit of a factor value: a fraction in [0, 1], a count (or mean count), or milliseconds. */
export type FactorUnit = 'ratio' | 'count' | 'ms';

/** One entry of the factor catalog. */
export interface FactorDefinition {
  name: FactorName;
  tier: FactorTier;
  direction: FactorDirection;
  unit: FactorUnit;
  /** The exact definition, per user and component path, inside the window. */
  description: string;
}

/** One factor value for a user and component path, computed as of a time. */
export interface FactorValue {
  userId: string;
  path: ComponentPath;
  factor: FactorName;
  value: number;
  /** End of the window the value was computed over (ISO 8601 UTC with milliseconds). */
  asOf: string;
}

/** A factor value frozen in a snapshot. Snapshots are immutable once written. */
export interface FactorSnapshotValue extends FactorValue {
  /** When the snapshot was taken; always equal to `asOf` (the window end it was computed at). */
  snapshotAt: string;
}

/**
 * Aggregate of one factor over the users of one component path. Only produced when at least
 * {@link AGGREGATE_MIN_USERS} distinct users have a value for that factor on that path.
 */
export interface ComponentFactorAggregate {
  path: ComponentPath;
  factor: FactorName;
  /** Distinct users with a (present) value; always >= 5. */
  userCount: number;
  mean: number;
  /** `percentile_cont(0.5)`. */
  median: number;
  /** `percentile_cont(0.95)`: linear interpolation between closest ranks. */
  p95: number;
  min: number;
  max: number;
  /** Sample standard deviation (`stddev_samp`, divisor n - 1). */
  stddev: number;
  /** `asOf` of the current values the aggregate was computed over. */
  asOf: string;
}

/** The window of a factor computation: events with `asOf - windowMs < createdAt <= asOf`. */
export interface FactorWindow {
  /** End of the window (inclusive). ISO 8601. */
  asOf: string;
  /** Window length in milliseconds (default {@link DEFAULT_FACTOR_WINDOW_MS}, 7 days). */
  windowMs?: number;
}

/** A user's cluster membership. */
export interface ClusterAssignment {
  userId: string;
  /** 0-based cluster index; clusters are numbered in order of their first member by user id. */
  clusterId: number;
  /** Euclidean distance to the cluster centroid, in standardized units. */
  distance: number;
  /** When the clustering was computed (ISO 8601 UTC). */
  computedAt: string;
}

/** The change of one factor between the closest snapshots at or before two dates. */
export interface FactorDelta {
  factor: FactorName;
  /** Value in the latest snapshot at or before `from`, or `null` when there is none. */
  from: number | null;
  /** Value in the latest snapshot at or before `to`, or `null` when there is none. */
  to: number | null;
  /** `to - from`, or `null` when either side is missing. */
  delta: number | null;
  /** `snapshotAt` of the `from` value, or `null`. */
  fromSnapshotAt: string | null;
  /** `snapshotAt` of the `to` value, or `null`. */
  toSnapshotAt: string | null;
}
