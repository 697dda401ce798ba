import type { ComponentPath } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import { isHeldOut } from '../experiments/decide.js';
import type { Holdout } from '../experiments/types.js';
import type { FactorName } from '../factors/types.js';
import type { FactoredStore } from '../store/contract.js';
import { type SampleSummary, summarizeValues } from './statistics/moments.js';
import { type WelchTestResult, welchTest } from './statistics/welch.js';

/** One user's value of the compared quantity. */
export interface HoldoutObservation {
  userId: string;
  value: number;
}

/** Holdout users against everyone else, on one quantity. */
export interface HoldoutComparison {
  /** Held-out users: they never got an experiment's variant nor a shipped winner. */
  holdout: SampleSummary;
  /** Everyone else: exposed to every shipped winner (and to running experiments). */
  rest: SampleSummary;
  /**
   * Welch's t-test of `rest` minus `holdout`: `difference` is the cumulative effect of what
   * shipped, in the quantity's unit, with its confidence interval and p-value. `null` when
   * undefined (fewer than 2 users in a group, or no variance at all).
   */
  welch: WelchTestResult | null;
  /** `welch.difference / holdout.mean`, or `null` when the holdout mean is 0 or undefined. */
  relativeLift: number | null;
}

/** {@link holdoutReadout}'s result: the comparison and what it was computed on. */
export interface HoldoutReadout extends HoldoutComparison {
  factor: FactorName;
  path: ComponentPath;
  /** The holdout the users were split by. */
  holdoutDefinition: Holdout;
  alpha: number;
}

/**
 * Splits `observations` by the holdout (`isHeldOut`) and compares everyone else against the
 * holdout with Welch's test. Pure: the same split as every store's assignment rule.
 */
export function compareHoldout(
  observations: readonly HoldoutObservation[],
  holdout: Pick<Holdout, 'share' | 'seed'>,
  alpha = 0.05,
): HoldoutComparison {
  const held: number[] = [];
  const rest: number[] = [];
  for (const { userId, value } of observations) {
    if (!Number.isFinite(value))
      throw new FactoredError('invalid_input', `value of user ${userId} must be finite.`);
    (isHeldOut(holdout, userId) ? held : rest).push(value);
  }
  const heldSummary = summarizeValues(held);
  const restSummary = summarizeValues(rest);
  const welch = welchTest(restSummary, heldSummary, alpha);
  return {
    holdout: heldSummary,
    rest: restSummary,
    welch,
    relativeLift:
      welch && Number.isFinite(heldSummary.mean) && heldSummary.mean !== 0
        ? welch.difference / heldSummary.mean
        : null,
  };
}

/**
 * The cumulative lift of shipped winners against the holdout, on one factor of one component
 * path: every user's current value (`getFactors`), split by the store's holdout, compared with
 * Welch's test (`rest - holdout`). Service role only (it reads every user's values; publish
 * the result, not the rows). Throws `unauthorized` for other roles, `not_found` when no
 * holdout holds anybody out.
 *
 * @example
 * ```ts
 * const readout = await holdoutReadout(service, { factor: 'rage_click_rate', path: 'checkout' });
 * readout.welch?.difference; // < 0: what shipped lowered rage clicks
 * ```
 */
export async function holdoutReadout(
  store: FactoredStore,
  query: { factor: FactorName; path: ComponentPath; alpha?: number },
): Promise<HoldoutReadout> {
  const identity = await store.getIdentity();
  if (identity.role !== 'service')
    throw new FactoredError(
      'unauthorized',
      'holdoutReadout reads every user’s values: use a service store (service role).',
    );
  const holdout = await store.getHoldout();
  if (!holdout || holdout.share === 0)
    throw new FactoredError(
      'not_found',
      'holdoutReadout: no holdout holds anybody out; set one with setHoldout first.',
    );
  const values = await store.getFactors({ path: query.path, factors: [query.factor] });
  const alpha = query.alpha ?? 0.05;
  return {
    ...compareHoldout(
      values.map((v) => ({ userId: v.userId, value: v.value })),
      holdout,
      alpha,
    ),
    factor: query.factor,
    path: query.path,
    holdoutDefinition: holdout,
    alpha,
  };
}
