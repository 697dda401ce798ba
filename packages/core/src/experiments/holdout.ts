import { FactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import { BUCKET_COUNT } from './hash.js';
import type { Holdout, HoldoutInput } from './types.js';
import { validateSeed } from './validate.js';

/** The largest holdout share: at least half of all users stay available to experiments. */
export const MAX_HOLDOUT_SHARE = 0.5;
/** The holdout seed when none is given. */
export const DEFAULT_HOLDOUT_SEED = 'holdout';

/**
 * Validates a holdout: `share` in [0, 0.5] in 1/10,000 steps, `seed` (default `"holdout"`)
 * like an experiment seed. Throws `invalid_input` naming the field.
 */
export function validateHoldout(input: HoldoutInput): { share: number; seed: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new FactoredError('invalid_input', 'holdout: expected { share, seed? }.', {
      details: { field: 'holdout' },
    });
  const { share } = input;
  if (
    typeof share !== 'number' ||
    !Number.isFinite(share) ||
    share < 0 ||
    share > MAX_HOLDOUT_SHARE ||
    Math.abs(share * BUCKET_COUNT - Math.round(share * BUCKET_COUNT)) > 1e-6
  )
    throw new FactoredError(
      'invalid_input',
      `share: a fraction in [0, ${MAX_HOLDOUT_SHARE}] with at most 4 decimals is required, got ${String(share)}.`,
      { details: { field: 'share' } },
    );
  const seed = input.seed ?? DEFAULT_HOLDOUT_SEED;
  return { share, seed: validateSeed(seed) };
}

/**
 * Sets the project's holdout (service role): a held-out user is enrolled in no experiment and
 * gets the default of concluded ones too. Stickiness wins: users already assigned keep their
 * assignments whatever the new share or seed; raising the share only adds held-out users.
 */
export async function setHoldout(store: FactoredStore, input: HoldoutInput): Promise<Holdout> {
  return store.setHoldout(validateHoldout(input));
}

/** The project's holdout, or `null` when none was ever set. */
export function getHoldout(store: FactoredStore): Promise<Holdout | null> {
  return store.getHoldout();
}
