import { FactoredError } from '../errors.js';
import { assignBucket, BUCKET_COUNT, coverageBucket } from './hash.js';
import type { Variant } from './types.js';

/** Buckets per weight point: weights are integer percentages of {@link BUCKET_COUNT}. */
const BUCKETS_PER_PERCENT = BUCKET_COUNT / 100;

/**
 * The variant owning `bucket` (0..9999): variants take consecutive ranges in definition order,
 * each `weight * 100` buckets wide (`[control 0..4999][treatment 5000..9999]` for 50/50).
 * Throws `invalid_input` when the bucket is out of range or the weights do not cover it.
 */
export function chooseVariant<V extends Pick<Variant, 'weight'>>(
  variants: readonly V[],
  bucket: number,
): V {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKET_COUNT) {
    throw new FactoredError(
      'invalid_input',
      `bucket must be an integer in [0, ${BUCKET_COUNT}), got ${bucket}.`,
    );
  }
  let end = 0;
  for (const variant of variants) {
    end += variant.weight * BUCKETS_PER_PERCENT;
    if (bucket < end) return variant;
  }
  throw new FactoredError(
    'invalid_input',
    `variant weights cover ${end} of ${BUCKET_COUNT} buckets; weights must sum to 100.`,
  );
}

/**
 * True when a coverage bucket falls inside `coverage` (a fraction in (0, 1]): the first
 * `round(coverage * 10000)` buckets are enrolled, so raising coverage only adds users.
 */
export function isCovered(coverage: number, bucket: number): boolean {
  return bucket < Math.round(coverage * BUCKET_COUNT);
}

/**
 * Buckets a user into an experiment, ignoring targeting, exclusion and stickiness: `null` when
 * coverage leaves the user out, otherwise the variant. Pure and deterministic.
 */
export function bucketUser<V extends Pick<Variant, 'weight'>>(
  experiment: { seed: string; coverage: number; variants: readonly V[] },
  userId: string,
): V | null {
  if (
    experiment.coverage < 1 &&
    !isCovered(experiment.coverage, coverageBucket(experiment.seed, userId))
  )
    return null;
  return chooseVariant(experiment.variants, assignBucket(experiment.seed, userId));
}
