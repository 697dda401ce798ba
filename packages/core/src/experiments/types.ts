import type { ComponentPath, Platform } from '../capture/types.js';
import type { FactorName } from '../factors/types.js';
import type { JsonObject } from '../util/json.js';

/**
 * Lifecycle: `draft -> running -> concluded`, or `draft|running -> stopped`. `concluded` and
 * `stopped` are final.
 */
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

/** Comparison operators of metadata targeting rules. */
export type MetadataOperator = 'eq' | 'neq' | 'contains' | 'gte' | 'lte';

/** Enrol only users whose factor (on the experiment's path) satisfies the comparison. */
export interface FactorRule {
  kind: 'factor';
  factor: FactorName;
  operator: FactorOperator;
  value: number;
}

/**
 * Compare a session/device metadata field (for example `app_version`, `os_version`,
 * `deviceType`). `eq`, `neq` and `contains` compare case-insensitively; `gte` and `lte`
 * compare versions segment by segment (`10.2 > 9.9`, `1.10.0 > 1.9.3`).
 */
export interface MetadataRule {
  kind: 'metadata';
  field: string;
  operator: MetadataOperator;
  value: string;
}

/** A stored targeting rule. */
export type TargetingRule = FactorRule | MetadataRule;

/** The factor-only rule shape of FactoredUI 0.5, still accepted wherever rules are read. */
export interface LegacyFactorRule {
  factor: FactorName;
  operator: FactorOperator;
  threshold: number;
}

/**
 * The 0.5 spelling of the current shapes (`type` instead of `kind`, `threshold` instead of
 * `value`), still accepted wherever rules are read.
 */
export type LegacyTypedRule =
  | { type: 'factor'; factor: FactorName; operator: FactorOperator; threshold: number }
  | { type: 'metadata'; field: string; operator: MetadataOperator; value: string };

/** Any rule shape accepted on input; normalized to {@link TargetingRule} when stored. */
export type TargetingRuleInput = TargetingRule | LegacyFactorRule | LegacyTypedRule;

/**
 * A slice of a layer: experiments of one layer take disjoint ranges of the layer's 10,000
 * buckets, so a user (whose layer bucket is fixed by the hash of the layer's name and the user
 * id) is in at most one of them, whatever their component paths.
 */
export interface ExperimentLayer {
  /** The layer's name; it is also the seed of the layer bucket. No control characters. */
  name: string;
  /** First bucket of the range (integer in [0, 10000)). */
  start: number;
  /** One past the last bucket (integer in (start, 10000]): `end - start` buckets, 100 per %. */
  end: number;
}

/**
 * The project's holdout: a fixed share of users excluded from every experiment (running ones
 * and the winners of concluded ones), so the cumulative effect of shipped winners stays
 * measurable against them. One per store (database/project).
 */
export interface Holdout {
  /** Fraction of all users held out, in [0, 0.5] in 1/10,000 steps; 0 holds nobody out. */
  share: number;
  /** Seed of the holdout bucket (no control characters). */
  seed: string;
  /** When it was last set (ISO 8601, the store's clock). */
  updatedAt: string;
}

/** What `setHoldout` takes. */
export interface HoldoutInput {
  share: number;
  /** Default `"holdout"`. Changing it reshuffles who is held out (assigned users stay). */
  seed?: string;
}

/** What `createExperiment` takes. */
export interface NewExperiment {
  /** Unique name; it is also the flag key (`evaluateFlag(store, name)`). */
  name: string;
  description?: string;
  /** The component path the experiment changes; one running experiment per user and path. */
  path: ComponentPath;
  variants: Variant[];
  /** Fraction of eligible users enrolled, in (0, 1], at most 4 decimals. Default 1. */
  coverage?: number;
  targeting?: TargetingRuleInput[];
  /** Platforms the experiment runs on; empty or missing means all. */
  platforms?: Platform[];
  /** Bucketing seed; defaults to the experiment name. No control characters. */
  seed?: string;
  /**
   * The layer slice the experiment takes, if any: only users whose layer bucket is in
   * `[start, end)` are enrolled. Slices of the draft and running experiments of one layer may
   * not overlap (`conflict`).
   */
  layer?: ExperimentLayer | null;
}

/**
 * A validated, normalized definition: what a store persists. Produced by
 * `validateExperimentDefinition`; stores may rely on its invariants.
 */
export interface ExperimentDefinition {
  name: string;
  description: string;
  path: ComponentPath;
  variants: Variant[];
  coverage: number;
  targeting: TargetingRule[];
  platforms: Platform[];
  seed: string;
  /** The layer slice; absent when the experiment is in no layer. */
  layer?: ExperimentLayer;
}

/**
 * The changes a store's `updateExperiment` takes: validated fields of the merged definition,
 * `layer: null` removing the layer slice.
 */
export type ExperimentDefinitionChanges = Partial<Omit<ExperimentDefinition, 'layer'>> & {
  layer?: ExperimentLayer | null;
};

/** A stored experiment definition. */
export interface Experiment extends ExperimentDefinition {
  /** Assigned by the store (a UUID). */
  id: string;
  status: ExperimentStatus;
  /** The winning variant key once concluded, otherwise `null`. */
  winner: string | null;
  /** Set by the store on insert (ISO 8601 UTC). */
  createdAt: string;
  /** Set by the store on the transition to `running`. */
  startedAt: string | null;
  /** Set by the store on the transition to `concluded` or `stopped`. */
  endedAt: string | null;
}

/** Changes `updateExperiment` accepts. Which fields may change depends on the status. */
export interface ExperimentChanges {
  name?: string;
  description?: string;
  path?: ComponentPath;
  variants?: Variant[];
  coverage?: number;
  targeting?: TargetingRuleInput[];
  platforms?: Platform[];
  seed?: string;
  /** A new layer slice, or `null` to leave the layer (drafts only: frozen once running). */
  layer?: ExperimentLayer | null;
}

/** A sticky assignment of a user to a variant; written once per (user, experiment). */
export interface Assignment {
  userId: string;
  experimentId: string;
  variantKey: string;
  assignedAt: string;
}

/**
 * What `recordAssignment` takes: a request to be assigned. The store decides (DESIGN §15):
 * for a user store the variant is the server's bucketing of the user (the same hash,
 * coverage and factor rules as core's local evaluation) and `assignedAt` is the store's
 * clock. `variantKey` is then only the client's prediction (`conflict` when it differs from
 * the decision) and `assignedAt` is ignored. The service role may set both (imports,
 * backfills); when it omits them the store decides the same way.
 *
 * An {@link Assignment} is a valid request, so 0.5-style callers keep compiling.
 */
export interface AssignmentRequest {
  userId: string;
  experimentId: string;
  /** The variant the caller expects (user stores) or sets (service role). */
  variantKey?: string;
  /** Service role only: the assignment time to store (ISO 8601). Ignored for user stores. */
  assignedAt?: string;
}

/** A variant actually shown, recorded once per (user, experiment, session). */
export interface Exposure {
  userId: string;
  experimentId: string;
  variantKey: string;
  /** The capture session id, or any stable id of the viewing session (non-empty). */
  sessionId: string;
  exposedAt: string;
}

/** Dashboard row: one per variant of an experiment. */
export interface ExperimentVariantSummary {
  experimentId: string;
  experimentName: string;
  path: ComponentPath;
  status: ExperimentStatus;
  winner: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  variantKey: string;
  weight: number;
  /** Distinct users assigned to this variant (among the rows visible to the caller). */
  assignedUsers: number;
  /** Distinct users with at least one exposure to this variant (visible to the caller). */
  exposedUsers: number;
}

/** Filters of the dashboard summaries. */
export interface ExperimentSummaryFilters {
  status?: readonly ExperimentStatus[];
  path?: ComponentPath;
  /** Only experiments created at or after this time (ISO 8601). */
  createdAfter?: string;
  /** Only experiments created at or before this time (ISO 8601). */
  createdBefore?: string;
}

/**
 * Why an evaluation resolved as it did, with OpenFeature's names: `SPLIT` (bucketed, no
 * targeting), `TARGETING_MATCH` (bucketed after targeting rules or a platform list matched),
 * `STATIC` (a concluded experiment serving its winner to everyone), `DEFAULT` (not enrolled).
 */
export type FlagReason = 'SPLIT' | 'TARGETING_MATCH' | 'STATIC' | 'DEFAULT';

/** Why a user was not enrolled. */
export type NotEnrolledCause =
  | 'unknown_flag'
  | 'loading'
  | 'draft'
  | 'stopped'
  | 'concluded'
  | 'platform'
  | 'targeting'
  | 'excluded'
  | 'layer'
  | 'holdout'
  | 'coverage';

/** What evaluating a flag for a user gives. */
export interface FlagEvaluation {
  /** The flag key (the experiment name). */
  flag: string;
  /** The experiment, or `null` when the flag is unknown. */
  experimentId: string | null;
  /** The variant to render, or `null` to render the host's default. */
  variantKey: string | null;
  /** The variant's configuration (`{}` when it has none), `null` with no variant. */
  config: JsonObject | null;
  /** The variant's SDUI spec, when it names one. */
  spec: { name: string; version: number } | null;
  reason: FlagReason;
  /** True when the user is assigned to a running experiment (an exposure can be recorded). */
  inExperiment: boolean;
  /** Set when the user is not enrolled: why. */
  cause?: NotEnrolledCause;
}

/**
 * Device and session metadata targeting rules read. Keys may be snake_case (0.5:
 * `os_version`, `app_version`) or camelCase (`osVersion`, `appVersion`): a rule on either
 * spelling finds the other.
 */
export type DeviceMetadata = Readonly<Record<string, unknown>>;
