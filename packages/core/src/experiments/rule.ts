import { bucketUser } from './bucketing.js';
import { evaluateTargeting, normalizeTargetingRule, type TargetingFactors } from './targeting.js';
import type { Experiment, TargetingRuleInput, Variant } from './types.js';

/** What the server's assignment rule gives for a user not yet assigned. */
export type AssignmentDecision =
  | { variant: Variant; cause?: undefined }
  | { variant: null; cause: 'targeting' | 'coverage' };

/** Metadata rules are advisory (the device reports its own metadata): the rule skips them. */
function isMetadataRule(rule: TargetingRuleInput): boolean {
  try {
    return normalizeTargetingRule(rule).kind === 'metadata';
  } catch {
    return false; // malformed: kept, so targeting fails closed
  }
}

/**
 * The assignment rule a store enforces for a user that asks to be assigned (DESIGN §15), the
 * part of {@link decideFlag} that needs nothing the device says about itself: the experiment's
 * factor rules against the user's stored factor values on its path (a missing factor fails,
 * a malformed rule fails), then the coverage bucket, then the variant bucket. Status and
 * exclusion are the store's to check atomically with the write; platform lists and metadata
 * rules stay advisory (the client evaluates them and simply does not ask). The Supabase store
 * mirrors this in SQL (`factoredui.decide_assignment`).
 */
export function decideAssignment(
  experiment: Pick<Experiment, 'seed' | 'coverage' | 'variants' | 'targeting' | 'path'>,
  userId: string,
  factors: TargetingFactors,
): AssignmentDecision {
  const factorRules = experiment.targeting.filter((rule) => !isMetadataRule(rule));
  if (
    factorRules.length > 0 &&
    !evaluateTargeting(factors, factorRules, undefined, { path: experiment.path })
  )
    return { variant: null, cause: 'targeting' };
  const variant = bucketUser(experiment, userId);
  return variant ? { variant } : { variant: null, cause: 'coverage' };
}
