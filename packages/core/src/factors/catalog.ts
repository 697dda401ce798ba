import { FactoredError } from '../errors.js';
import { FACTOR_NAMES, isFactorName } from './names.js';
import type { FactorDefinition, FactorName } from './types.js';

export { FACTOR_NAMES, isFactorName };

/** Default factor window: 7 days in milliseconds. */
export const DEFAULT_FACTOR_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Component aggregates are withheld when fewer distinct users than this have a value. */
export const AGGREGATE_MIN_USERS = 5;

/** Each factor's details by name; the type requires exactly one entry per factor name. */
const DETAILS: { readonly [N in FactorName]: Omit<FactorDefinition, 'name'> } = {
  completion_rate: {
    tier: 'alarm',
    direction: 'higher',
    unit: 'ratio',
    description:
      'Of the sessions with an `impression`, the fraction that also have a `navigation` event whose `payload.action` is `"complete"`. Absent when no session has an impression.',
  },
  drop_off_rate: {
    tier: 'alarm',
    direction: 'lower',
    unit: 'ratio',
    description: '1 - (sessions with any `navigation` event / sessions with any event).',
  },
  error_rate: {
    tier: 'alarm',
    direction: 'lower',
    unit: 'ratio',
    description: '`error` events / all events (every type counts, `custom` included).',
  },
  retry_count: {
    tier: 'diagnostic',
    direction: 'lower',
    unit: 'count',
    description:
      'max(0, `click` + `submit` events - sessions that have at least one `click` or `submit`).',
  },
  rage_click_count: {
    tier: 'diagnostic',
    direction: 'lower',
    unit: 'count',
    description: 'Number of `rage_click` events.',
  },
  dead_click_count: {
    tier: 'diagnostic',
    direction: 'lower',
    unit: 'count',
    description: 'Number of `dead_click` events.',
  },
  scroll_reversal_count: {
    tier: 'diagnostic',
    direction: 'lower',
    unit: 'count',
    description: 'Number of `scroll_reversal` events.',
  },
  hesitation_ms: {
    tier: 'diagnostic',
    direction: 'lower',
    unit: 'ms',
    description:
      'Mean over impressions of the ms from the impression to the first strictly later `click`, `input`, `scroll` or `submit` (at or before `as_of`) in the same session and path; impressions with none are skipped. Absent when no impression has one.',
  },
  component_depth: {
    tier: 'structural',
    direction: null,
    unit: 'count',
    description:
      'Mean of `payload.component_depth` over impressions whose payload carries it as a number. Absent when none does.',
  },
  sibling_count: {
    tier: 'structural',
    direction: null,
    unit: 'count',
    description:
      'Mean of `payload.sibling_count` over impressions whose payload carries it as a number. Absent when none does.',
  },
  form_field_count: {
    tier: 'structural',
    direction: null,
    unit: 'count',
    description:
      'Mean of `payload.form_field_count` over impressions whose payload carries it as a number. Absent when none does.',
  },
};

/**
 * The factor catalog (DESIGN §5): the one source of factor tiers, directions, units and
 * definitions; the names and their order come from {@link FACTOR_NAMES} (`names.ts`). The order
 * is fixed; it is the order of factor vectors (clusters), of results sorted by factor, and of
 * the documentation table. The SQL engine mirrors it, and the shared fixtures check that both
 * agree.
 */
export const FACTOR_CATALOG: readonly FactorDefinition[] = Object.freeze(
  FACTOR_NAMES.map((name) => Object.freeze({ name, ...DETAILS[name] })),
);

const BY_NAME: ReadonlyMap<string, FactorDefinition> = new Map(
  FACTOR_CATALOG.map((entry) => [entry.name, entry]),
);

const CATALOG_INDEX: ReadonlyMap<string, number> = new Map(
  FACTOR_CATALOG.map((entry, index) => [entry.name, index]),
);

/** Throws `invalid_input` (naming `field` and the known names) unless `value` is a factor name. */
export function assertFactorName(value: unknown, field = 'factor'): asserts value is FactorName {
  if (!isFactorName(value)) {
    throw new FactoredError(
      'invalid_input',
      `${field}: unknown factor ${JSON.stringify(value)}; use one of ${FACTOR_NAMES.join(', ')}.`,
      { details: { field, value } },
    );
  }
}

/** Validates an optional list of factor names, throwing `invalid_input` on the first unknown. */
export function assertFactorNames(
  value: unknown,
  field = 'factors',
): asserts value is readonly FactorName[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    throw new FactoredError('invalid_input', `${field} must be an array of factor names.`, {
      details: { field },
    });
  }
  value.forEach((name, index) => {
    assertFactorName(name, `${field}[${index}]`);
  });
}

/** The catalog entry of `name`. Throws `invalid_input` for an unknown name. */
export function getFactorDefinition(name: FactorName): FactorDefinition {
  assertFactorName(name, 'name');
  return BY_NAME.get(name) as FactorDefinition;
}

/** Position of `name` in the catalog (its index in factor vectors). */
export function factorIndex(name: FactorName): number {
  assertFactorName(name, 'name');
  return CATALOG_INDEX.get(name) as number;
}

/**
 * Compares two factor values for the canonical result order: user id, then path (UTF-16 code
 * unit order, which is `COLLATE "C"` order for ASCII paths), then factor in catalog order.
 */
export function compareFactorValues(
  a: { userId: string; path: string; factor: FactorName },
  b: { userId: string; path: string; factor: FactorName },
): number {
  if (a.userId !== b.userId) return a.userId < b.userId ? -1 : 1;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return (CATALOG_INDEX.get(a.factor) ?? 0) - (CATALOG_INDEX.get(b.factor) ?? 0);
}
