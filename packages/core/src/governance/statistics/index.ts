export { type CupedAdjustment, adjustedSummary, estimateCuped } from './cuped.js';
export {
  chiSquareUpperTail,
  normalQuantile,
  studentTQuantile,
  studentTTwoSidedPValue,
} from './distributions.js';
export { type LiftEstimate, type LiftOptions, estimateLift } from './lift.js';
export { type SampleSummary, summarizeSums, summarizeValues } from './moments.js';
export {
  type ConfidenceSequenceResult,
  mixtureTuningConstant,
  normalMixtureConfidenceSequence,
} from './sequential.js';
export { type SampleRatioMismatchResult, sampleRatioMismatchTest } from './srm.js';
export { type WelchTestResult, welchTest } from './welch.js';
