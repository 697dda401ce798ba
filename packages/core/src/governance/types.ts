import type { ComponentPath } from '../capture/types.js';
import type { FactorName } from '../factors/types.js';

/** The minimum practical improvement for a factor, in the factor's better direction. */
export interface GovernanceThreshold {
  id: string;
  /** Applies to this experiment, or to every experiment when `null`. */
  experimentId: string | null;
  factor: FactorName;
  /** Restrict to a component path; `null` means the experiment's path. */
  path: ComponentPath | null;
  operator: 'gt' | 'gte' | 'lt' | 'lte';
  value: number;
}

/** Per-variant sufficient statistics of (x = before assignment, y = after). */
export interface VariantSufficientStatistics {
  variantKey: string;
  /** Users with a `y` value. */
  n: number;
  sumY: number;
  sumY2: number;
  /** Users with both `x` and `y`. */
  nX: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
  /** Sum of y over the users with an x value (needed for CUPED with partial covariates). */
  sumYWithX: number;
  sumY2WithX: number;
}

/** A governance decision. */
export type GovernanceVerdict = 'conclude' | 'continue' | 'flag_review';

/** Numbers of one treatment-vs-control comparison on one factor. */
export interface FactorComparison {
  factor: FactorName;
  variantKey: string;
  controlKey: string;
  n: { control: number; treatment: number };
  effect: number;
  relativeLift: number | null;
  ci: [number, number];
  pValue: number;
  method: 'cuped' | 'difference';
  inference: 'sequential' | 'fixed';
  significant: boolean;
  passesThreshold: boolean;
  direction: 'improvement' | 'regression' | 'neutral';
}

/** One row of the append-only governance log. */
export interface GovernanceLogEntry {
  id: string;
  experimentId: string;
  verdict: GovernanceVerdict;
  winner: string | null;
  reason: string;
  /** Assigned users per variant at evaluation time. */
  assigned: Record<string, number>;
  srmPValue: number | null;
  comparisons: FactorComparison[];
  evaluatedAt: string;
}
