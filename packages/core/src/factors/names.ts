import type { FactorName } from './types.js';

/*
 * The factor names, in catalog order: the one list the catalog (`catalog.ts`) is built from.
 * Kept apart from the catalog's descriptions so that code that only needs to recognise a
 * factor name (experiment targeting, in the browser) does not ship them.
 */
const NAMES = [
  'completion_rate',
  'drop_off_rate',
  'error_rate',
  'retry_count',
  'rage_click_count',
  'dead_click_count',
  'scroll_reversal_count',
  'hesitation_ms',
  'component_depth',
  'sibling_count',
  'form_field_count',
] as const satisfies readonly FactorName[];

// Compile-time check that NAMES lists every FactorName (`Assert<false>` does not type-check).
type Assert<T extends true> = T;
type Complete = Assert<
  [Exclude<FactorName, (typeof NAMES)[number]>] extends [never] ? true : false
>;

export type { Complete as FactorNamesComplete };

/** Every factor name, in catalog order. */
export const FACTOR_NAMES: readonly FactorName[] = Object.freeze(NAMES);

const NAME_SET: ReadonlySet<string> = new Set(FACTOR_NAMES);

/** True when `value` is a factor name of the catalog. */
export function isFactorName(value: unknown): value is FactorName {
  return typeof value === 'string' && NAME_SET.has(value);
}
