export { type BayesianReadout, bayesianReadout } from './bayes.js';
export { adjustedSummary, type CupedAdjustment, estimateCuped } from './cuped.js';
export {
  chiSquareUpperTail,
  normalQuantile,
  studentTQuantile,
  studentTTwoSidedPValue,
} from './distributions.js';
export { estimateLift, type LiftEstimate, type LiftOptions } from './lift.js';
export { type SampleSummary, summarizeSums, summarizeValues } from './moments.js';
export { normalCdf, normalPdf } from './normal.js';
export {
  expectedDaysToDecision,
  minimumDetectableEffect,
  type PowerAssumptions,
  powerOfTest,
  type SampleSize,
  sampleSizePerVariant,
  type TrafficObservation,
} from './power.js';
export {
  type ConfidenceSequenceResult,
  mixtureTuningConstant,
  normalMixtureConfidenceSequence,
} from './sequential.js';
export { type SampleRatioMismatchResult, sampleRatioMismatchTest } from './srm.js';
export { type WelchTestResult, welchStatistic, welchTest } from './welch.js';
