import type { Platform } from '../capture/types.js';
import { chooseVariant, isCovered } from './bucketing.js';
import { assignBucket, coverageBucket, holdoutBucket, layerBucket } from './hash.js';
import {
  compileTargeting,
  matchesCompiledTargeting,
  matchesPlatform,
  type TargetingFactors,
} from './targeting.js';
import type {
  Assignment,
  DeviceMetadata,
  Experiment,
  ExperimentLayer,
  FlagEvaluation,
  FlagReason,
  Holdout,
  NotEnrolledCause,
  Variant,
} from './types.js';

/** Everything {@link decideFlag} needs besides the definition: no I/O happens inside. */
export interface DecisionInput {
  userId: string;
  /** The user's stored assignment in this experiment, if any (sticky: it wins). */
  assignment?: Assignment | null | undefined;
  /**
   * True when the user holds an assignment in another running experiment on the same component
   * path (exclusion: one running experiment per user and path).
   */
  excluded?: boolean;
  /** The user's factor values on the experiment's path (for factor rules). */
  factors?: TargetingFactors;
  metadata?: DeviceMetadata;
  platform?: Platform;
  /** The store's holdout (`getHoldout`): a held-out user gets defaults everywhere. */
  holdout?: Pick<Holdout, 'share' | 'seed'> | null;
}

const EMPTY_FACTORS: TargetingFactors = [];

function notEnrolled(
  experiment: Experiment,
  cause: NotEnrolledCause,
  variant: Variant | null = null,
  reason: FlagReason = 'DEFAULT',
): FlagEvaluation {
  return {
    flag: experiment.name,
    experimentId: experiment.id,
    variantKey: variant?.key ?? null,
    config: variant ? (variant.config ?? {}) : null,
    spec: variant?.spec ?? null,
    reason,
    inExperiment: false,
    cause,
  };
}

/** The evaluation of a flag nobody defined (or not loaded yet): render the host's default. */
export function defaultEvaluation(
  flag: string,
  cause: NotEnrolledCause = 'unknown_flag',
): FlagEvaluation {
  return {
    flag,
    experimentId: null,
    variantKey: null,
    config: null,
    spec: null,
    reason: 'DEFAULT',
    inExperiment: false,
    cause,
  };
}

/**
 * Decides what a user sees for an experiment. Pure: the same inputs give the same answer on
 * every platform.
 *
 * 1. `concluded`: the winner for everyone but the holdout (`STATIC`, no assignment, no
 *    exposure); held-out users get the default (`cause: 'holdout'`).
 * 2. `draft` / `stopped`: nothing (`DEFAULT`).
 * 3. `running` with a stored assignment: that variant, whatever targeting says now (sticky).
 * 4. Otherwise, in order: holdout, platform list, exclusion, layer slice (the user's layer bucket must
 *    fall in the experiment's range), targeting rules, coverage bucket, then
 *    the variant bucket picks the variant (`TARGETING_MATCH` when the experiment has rules or a
 *    platform list, else `SPLIT`). The caller records the new assignment.
 *
 * The experiment's targeting rules are compiled on first use and cached by their array (see
 * `compileTargeting`): replace `experiment.targeting`, never edit it in place.
 */
export function decideFlag(experiment: Experiment, input: DecisionInput): FlagEvaluation {
  if (experiment.status === 'concluded') {
    if (isHeldOut(input.holdout, input.userId)) return notEnrolled(experiment, 'holdout');
    const winner = experiment.variants.find((v) => v.key === experiment.winner) ?? null;
    return notEnrolled(experiment, 'concluded', winner, winner ? 'STATIC' : 'DEFAULT');
  }
  if (experiment.status !== 'running') return notEnrolled(experiment, experiment.status);
  const targeted = experiment.targeting.length > 0 || experiment.platforms.length > 0;
  let variant: Variant | undefined;
  const assignment = input.assignment;
  if (assignment) {
    variant = experiment.variants.find((v) => v.key === assignment.variantKey);
  }
  if (!variant) {
    if (isHeldOut(input.holdout, input.userId)) return notEnrolled(experiment, 'holdout');
    if (!matchesPlatform(experiment.platforms, input.platform ?? readPlatform(input.metadata)))
      return notEnrolled(experiment, 'platform');
    if (input.excluded) return notEnrolled(experiment, 'excluded');
    if (experiment.layer && !inLayer(experiment.layer, input.userId))
      return notEnrolled(experiment, 'layer');
    if (
      experiment.targeting.length > 0 &&
      !matchesCompiledTargeting(
        compileTargeting(experiment.targeting),
        input.factors ?? EMPTY_FACTORS,
        input.metadata,
        experiment.path,
      )
    )
      return notEnrolled(experiment, 'targeting');
    if (
      experiment.coverage < 1 &&
      !isCovered(experiment.coverage, coverageBucket(experiment.seed, input.userId))
    )
      return notEnrolled(experiment, 'coverage');
    variant = chooseVariant(experiment.variants, assignBucket(experiment.seed, input.userId));
  }
  return {
    flag: experiment.name,
    experimentId: experiment.id,
    variantKey: variant.key,
    config: variant.config ?? {},
    spec: variant.spec ?? null,
    reason: targeted ? 'TARGETING_MATCH' : 'SPLIT',
    inExperiment: true,
  };
}

/** True when the holdout holds the user out (its bucket is below `round(share * 10000)`). */
export function isHeldOut(
  holdout: Pick<Holdout, 'share' | 'seed'> | null | undefined,
  userId: string,
): boolean {
  return (
    !!holdout &&
    holdout.share > 0 &&
    holdoutBucket(holdout.seed, userId) < Math.round(holdout.share * 10_000)
  );
}

/** True when the user's layer bucket falls in the slice `[start, end)`. */
export function inLayer(layer: ExperimentLayer, userId: string): boolean {
  const bucket = layerBucket(layer.name, userId);
  return bucket >= layer.start && bucket < layer.end;
}

function readPlatform(metadata: DeviceMetadata | undefined): Platform | undefined {
  const platform = metadata?.platform;
  return typeof platform === 'string' ? platform : undefined;
}
