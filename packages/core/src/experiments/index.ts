export { bucketUser, chooseVariant, isCovered } from './bucketing.js';
export {
  createFlagClient,
  DEFAULT_FLAG_TTL_MS,
  type FlagClient,
  type FlagClientOptions,
  type FlagClientSnapshot,
  type FlagContext,
  type SerializedFlagState,
  serializeFlagState,
} from './client.js';
export {
  type ExperimentSummaryQuery,
  queryExperimentSummaries,
  queryExperimentSummary,
} from './dashboard.js';
export {
  type DecisionInput,
  decideFlag,
  defaultEvaluation,
  inLayer,
  isHeldOut,
} from './decide.js';
export { evaluateFlag, getSharedFlagClient } from './flag.js';
export {
  createStaticFlagClient,
  type EvaluateFlagsOptions,
  evaluateFlags,
  type LoadFlagStateOptions,
  loadFlagState,
  type StaticFlagClientOptions,
} from './flag-state.js';
export {
  assignBucket,
  BUCKET_COUNT,
  BUCKET_SEPARATOR,
  COVERAGE_HASH_SEED,
  coverageBucket,
  HOLDOUT_HASH_SEED,
  holdoutBucket,
  LAYER_HASH_SEED,
  layerBucket,
  murmur3_32,
  VARIANT_HASH_SEED,
} from './hash.js';
export {
  DEFAULT_HOLDOUT_SEED,
  getHoldout,
  MAX_HOLDOUT_SHARE,
  setHoldout,
  validateHoldout,
} from './holdout.js';
export { findLayerOverlap, layerOverlapError, layersOverlap } from './layer.js';
export {
  assertTransition,
  canTransition,
  concludeExperiment,
  createExperiment,
  EXPERIMENT_TRANSITIONS,
  getExperiment,
  listExperiments,
  RUNNING_MUTABLE_FIELDS,
  startExperiment,
  stopExperiment,
  updateExperiment,
} from './lifecycle.js';
export { type AssignmentDecision, decideAssignment } from './rule.js';
export {
  evaluateTargeting,
  matchesPlatform,
  normalizeTargetingRule,
  readMetadataField,
  type TargetingFactors,
  type TargetingOptions,
} from './targeting.js';
export type * from './types.js';
export {
  CONTROL_VARIANT,
  MAX_EXPERIMENT_NAME_LENGTH,
  validateExperimentDefinition,
  validateSeed,
} from './validate.js';
export { compareVersions } from './version.js';
