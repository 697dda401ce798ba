import { FactoredError } from '../errors.js';
import { assertAlpha } from './statistics/welch.js';
import type { GovernanceSettings } from './types.js';

/**
 * The defaults of every governance evaluation (documented in docs/governance.md):
 * alpha 0.05 family-wise with Bonferroni, always-valid confidence sequences tuned to be
 * tightest at 2000 users per comparison, at least 100 users with a value per variant before
 * anything concludes, SRM tested from 10 assigned users per variant and flagged below
 * p = 0.001, CUPED on.
 */
export const DEFAULT_GOVERNANCE_SETTINGS: Readonly<GovernanceSettings> = Object.freeze({
  alpha: 0.05,
  inference: 'sequential',
  sequentialTargetSampleSize: 2000,
  minSamplePerVariant: 100,
  srmAlpha: 0.001,
  srmMinUsersPerVariant: 10,
  cuped: true,
  multipleComparisons: 'bonferroni',
});

/** Overrides of {@link DEFAULT_GOVERNANCE_SETTINGS}. */
export type GovernanceOptions = Partial<GovernanceSettings>;

function assertPositiveInteger(value: number, field: string): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new FactoredError('invalid_input', `${field} must be a positive integer, got ${value}.`, {
      details: { field },
    });
  }
}

/** Merges `options` over the defaults and validates the result (`invalid_input`). */
export function resolveGovernanceSettings(options: GovernanceOptions = {}): GovernanceSettings {
  const settings: GovernanceSettings = { ...DEFAULT_GOVERNANCE_SETTINGS };
  for (const key of Object.keys(DEFAULT_GOVERNANCE_SETTINGS) as (keyof GovernanceSettings)[]) {
    const value = options[key];
    if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  }
  assertAlpha(settings.alpha, 'alpha');
  assertAlpha(settings.srmAlpha, 'srmAlpha');
  if (settings.inference !== 'sequential' && settings.inference !== 'fixed') {
    throw new FactoredError(
      'invalid_input',
      `inference must be 'sequential' or 'fixed', got ${JSON.stringify(settings.inference)}.`,
    );
  }
  if (settings.multipleComparisons !== 'bonferroni' && settings.multipleComparisons !== 'none') {
    throw new FactoredError(
      'invalid_input',
      `multipleComparisons must be 'bonferroni' or 'none', got ${JSON.stringify(settings.multipleComparisons)}.`,
    );
  }
  if (typeof settings.cuped !== 'boolean') {
    throw new FactoredError('invalid_input', 'cuped must be a boolean.');
  }
  assertPositiveInteger(settings.sequentialTargetSampleSize, 'sequentialTargetSampleSize');
  assertPositiveInteger(settings.minSamplePerVariant, 'minSamplePerVariant');
  assertPositiveInteger(settings.srmMinUsersPerVariant, 'srmMinUsersPerVariant');
  return settings;
}
