export { adjustedSummary, type CupedAdjustment, estimateCuped } from './cuped.js';
export {
  chiSquareUpperTail,
  normalQuantile,
  studentTQuantile,
  studentTTwoSidedPValue,
} from './distributions.js';
export { estimateLift, type LiftEstimate, type LiftOptions } from './lift.js';
export { type SampleSummary, summarizeSums, summarizeValues } from './moments.js';
export {
  type ConfidenceSequenceResult,
  mixtureTuningConstant,
  normalMixtureConfidenceSequence,
} from './sequential.js';
export { type SampleRatioMismatchResult, sampleRatioMismatchTest } from './srm.js';
export { type WelchTestResult, welchStatistic, welchTest } from './welch.js';
