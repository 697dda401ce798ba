import { bucketUser } from './bucketing.js';
import { inLayer, isHeldOut } from './decide.js';
import { compileTargeting, matchesCompiledTargeting, type TargetingFactors } from './targeting.js';
import type { Experiment, Holdout, Variant } from './types.js';

/** What the server's assignment rule gives for a user not yet assigned. */
export type AssignmentDecision =
  | { variant: Variant; cause?: undefined }
  | { variant: null; cause: 'holdout' | 'layer' | 'targeting' | 'coverage' };

/**
 * The assignment rule a store enforces for a user that asks to be assigned (DESIGN §15), the
 * part of {@link decideFlag} that needs nothing the device says about itself: the experiment's
 * holdout (a held-out user is in no experiment), the layer slice (the user's layer bucket must fall in the experiment's range), the experiment's
 * factor rules against the user's stored factor values on its path (a missing factor fails,
 * a malformed rule fails), then the coverage bucket, then the variant bucket. Status and
 * exclusion are the store's to check atomically with the write; platform lists and metadata
 * rules stay advisory (the client evaluates them and simply does not ask). The Supabase store
 * mirrors this in SQL (`factoredui.decide_assignment`).
 */
export function decideAssignment(
  experiment: Pick<Experiment, 'seed' | 'coverage' | 'variants' | 'targeting' | 'path' | 'layer'>,
  userId: string,
  factors: TargetingFactors,
  holdout?: Pick<Holdout, 'share' | 'seed'> | null,
): AssignmentDecision {
  if (isHeldOut(holdout, userId)) return { variant: null, cause: 'holdout' };
  if (experiment.layer && !inLayer(experiment.layer, userId))
    return { variant: null, cause: 'layer' };
  // Metadata rules are advisory (the device reports its own metadata): skipped here. A
  // malformed rule still fails, so targeting fails closed.
  if (
    experiment.targeting.length > 0 &&
    !matchesCompiledTargeting(
      compileTargeting(experiment.targeting),
      factors,
      undefined,
      experiment.path,
      false,
    )
  )
    return { variant: null, cause: 'targeting' };
  const variant = bucketUser(experiment, userId);
  return variant ? { variant } : { variant: null, cause: 'coverage' };
}
