import type { ComponentPath, Platform } from '../capture/types.js';
import type { FactorName } from '../factors/types.js';
import type { JsonObject } from '../util/json.js';

/** Lifecycle: `draft -> running -> concluded`, or `draft|running -> stopped`. */
export type ExperimentStatus = 'draft' | 'running' | 'concluded' | 'stopped';

/** One arm of an experiment. */
export interface Variant {
  /** Unique within the experiment; one variant must be `control`. */
  key: string;
  /** Integer percentage; the weights of an experiment sum to 100. */
  weight: number;
  /** Free configuration delivered with the variant (copy, colors...). */
  config?: JsonObject;
  /** An SDUI spec this variant renders: `{ name, version }`. */
  spec?: { name: string; version: number };
}

/** Comparison operators of factor targeting rules. */
export type FactorOperator = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';

/** Enrol only users whose factor (on the experiment's path) satisfies the comparison. */
export interface FactorRule {
  kind: 'factor';
  factor: FactorName;
  operator: FactorOperator;
  value: number;
}

/** Compare a session metadata field; `gte`/`lte` compare versions (`10.2 > 9.9`). */
export interface MetadataRule {
  kind: 'metadata';
  field: string;
  operator: 'eq' | 'neq' | 'contains' | 'gte' | 'lte';
  value: string;
}

/** A targeting rule. The 0.5 shape `{ factor, operator, threshold }` is also accepted on read. */
export type TargetingRule = FactorRule | MetadataRule;

/** What `createExperiment` takes. */
export interface NewExperiment {
  name: string;
  description?: string;
  path: ComponentPath;
  variants: Variant[];
  /** Fraction of eligible users enrolled, in (0, 1]. Default 1. */
  coverage?: number;
  targeting?: TargetingRule[];
  /** Platforms the experiment runs on; empty or missing means all. */
  platforms?: Platform[];
  /** Bucketing seed; defaults to the experiment name. */
  seed?: string;
}

/** A stored experiment definition. */
export interface Experiment extends Required<Omit<NewExperiment, 'description'>> {
  id: string;
  description: string;
  status: ExperimentStatus;
  winner: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** A sticky assignment of a user to a variant; written once per (user, experiment). */
export interface Assignment {
  userId: string;
  experimentId: string;
  variantKey: string;
  assignedAt: string;
}

/** A variant actually shown, recorded once per (user, experiment, session). */
export interface Exposure {
  userId: string;
  experimentId: string;
  variantKey: string;
  sessionId: string;
  exposedAt: string;
}

/** Dashboard row: one per variant. */
export interface ExperimentVariantSummary {
  experimentId: string;
  experimentName: string;
  status: ExperimentStatus;
  variantKey: string;
  weight: number;
  assignedUsers: number;
  exposedUsers: number;
}
