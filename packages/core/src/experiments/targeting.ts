import type { ComponentPath, Platform } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import { isFactorName } from '../factors/names.js';
import type { FactorName } from '../factors/types.js';
import type {
  DeviceMetadata,
  FactorOperator,
  MetadataOperator,
  TargetingRule,
  TargetingRuleInput,
} from './types.js';
import { compareVersions } from './version.js';

const FACTOR_OPERATORS: ReadonlySet<string> = new Set<FactorOperator>([
  'gt',
  'gte',
  'lt',
  'lte',
  'eq',
]);
const METADATA_OPERATORS: ReadonlySet<string> = new Set<MetadataOperator>([
  'eq',
  'neq',
  'contains',
  'gte',
  'lte',
]);

function invalidRule(index: number | undefined, problem: string, rule: unknown): FactoredError {
  const where = index === undefined ? 'targeting rule' : `targeting[${index}]`;
  return new FactoredError('invalid_input', `${where}: ${problem}, got ${JSON.stringify(rule)}.`, {
    details: { field: index === undefined ? 'targeting' : `targeting[${index}]` },
  });
}

/**
 * Normalizes any accepted rule shape (current `{ kind, ... }`, 0.5's `{ factor, operator,
 * threshold }` and `{ type, ... }`) to a {@link TargetingRule}, or throws `invalid_input` naming
 * what is wrong (unknown factor or operator, non-finite threshold, empty field...).
 */
export function normalizeTargetingRule(rule: TargetingRuleInput, index?: number): TargetingRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    throw invalidRule(index, 'a rule must be an object', rule);
  const r = rule as unknown as Record<string, unknown>;
  const kind = r.kind ?? r.type ?? ('factor' in r ? 'factor' : undefined);
  if (kind === 'factor') {
    const value = r.value ?? r.threshold;
    if (!isFactorName(r.factor))
      throw invalidRule(index, 'factor must be a known factor name', rule);
    if (typeof r.operator !== 'string' || !FACTOR_OPERATORS.has(r.operator))
      throw invalidRule(index, 'a factor rule operator is one of gt, gte, lt, lte, eq', rule);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw invalidRule(index, 'a factor rule needs a finite numeric value', rule);
    return {
      kind: 'factor',
      factor: r.factor as FactorName,
      operator: r.operator as FactorOperator,
      value,
    };
  }
  if (kind === 'metadata') {
    if (typeof r.field !== 'string' || r.field.trim().length === 0)
      throw invalidRule(index, 'a metadata rule needs a non-empty field', rule);
    if (typeof r.operator !== 'string' || !METADATA_OPERATORS.has(r.operator))
      throw invalidRule(
        index,
        'a metadata rule operator is one of eq, neq, contains, gte, lte',
        rule,
      );
    if (typeof r.value !== 'string')
      throw invalidRule(index, 'a metadata rule value must be a string', rule);
    return {
      kind: 'metadata',
      field: r.field,
      operator: r.operator as MetadataOperator,
      value: r.value,
    };
  }
  throw invalidRule(index, 'a rule has kind "factor" or "metadata"', rule);
}

/** Factor values as targeting reads them: `FactorValue`s (or 0.5 rows) or a name -> value map. */
export type TargetingFactors =
  | readonly { factor?: string; factor_name?: string; value: number; path?: ComponentPath }[]
  | Readonly<Record<string, number>>;

/** Options of {@link evaluateTargeting}. */
export interface TargetingOptions {
  /** The experiment's platform list; empty or missing means every platform. */
  platforms?: readonly Platform[];
  /** The user's platform; defaults to `metadata.platform`. */
  platform?: Platform;
  /** Only factor values on this path count (values carrying another `path` are ignored). */
  path?: ComponentPath;
}

function indexFactors(factors: TargetingFactors, path: ComponentPath | undefined) {
  const byName = new Map<string, number>();
  if (Array.isArray(factors)) {
    for (const row of factors as Exclude<TargetingFactors, Readonly<Record<string, number>>>) {
      if (path !== undefined && row.path !== undefined && row.path !== path) continue;
      const name = row.factor ?? row.factor_name;
      if (name !== undefined && Number.isFinite(row.value)) byName.set(name, row.value);
    }
  } else {
    for (const [name, value] of Object.entries(factors as Readonly<Record<string, number>>)) {
      if (Number.isFinite(value)) byName.set(name, value);
    }
  }
  return byName;
}

const toCamel = (field: string) => field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toSnake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The metadata value of `field` as text (also under its camelCase/snake_case twin), or null. */
export function readMetadataField(
  metadata: DeviceMetadata | undefined,
  field: string,
): string | null {
  if (!metadata) return null;
  for (const name of [field, toCamel(field), toSnake(field)]) {
    const value = metadata[name];
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return String(value);
  }
  return null;
}

function compareNumber(value: number, operator: FactorOperator, threshold: number): boolean {
  switch (operator) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
    case 'eq':
      return value === threshold;
  }
}

function compareText(value: string, operator: MetadataOperator, target: string): boolean {
  switch (operator) {
    case 'eq':
      return value.toLowerCase() === target.toLowerCase();
    case 'neq':
      return value.toLowerCase() !== target.toLowerCase();
    case 'contains':
      return value.toLowerCase().includes(target.toLowerCase());
    case 'gte':
      return compareVersions(value, target) >= 0;
    case 'lte':
      return compareVersions(value, target) <= 0;
  }
}

/** True when `platform` is in `platforms` (an empty list allows every platform). */
export function matchesPlatform(
  platforms: readonly Platform[] | undefined,
  platform: Platform | undefined,
): boolean {
  if (!platforms || platforms.length === 0) return true;
  return platform !== undefined && platforms.includes(platform);
}

/**
 * True when a user passes every targeting rule (rules are ANDed) and the platform list.
 *
 * - Factor rules compare the user's factor value (on the experiment's path) with `gt gte lt
 *   lte eq`; a missing factor means not enrolled.
 * - Metadata rules read `metadata[field]` (snake_case and camelCase spellings both match):
 *   `eq neq contains` case-insensitively, `gte lte` version-aware (`10.2 > 9.9`); a missing
 *   field means not enrolled, also for `neq`.
 * - A rule that cannot be read (a malformed stored row) means not enrolled: targeting fails
 *   closed.
 *
 * Signature as in 0.5 (`factors, rules, deviceMetadata`), plus options for the platform list.
 */
export function evaluateTargeting(
  factors: TargetingFactors,
  rules: readonly TargetingRuleInput[],
  metadata?: DeviceMetadata,
  options: TargetingOptions = {},
): boolean {
  const platform =
    options.platform ??
    (typeof metadata?.platform === 'string' ? (metadata.platform as Platform) : undefined);
  if (!matchesPlatform(options.platforms, platform)) return false;
  if (rules.length === 0) return true;
  let byName: Map<string, number> | null = null;
  for (const input of rules) {
    let rule: TargetingRule;
    try {
      rule = normalizeTargetingRule(input);
    } catch {
      return false;
    }
    if (rule.kind === 'factor') {
      byName ??= indexFactors(factors, options.path);
      const value = byName.get(rule.factor);
      if (value === undefined || !compareNumber(value, rule.operator, rule.value)) return false;
    } else {
      const value = readMetadataField(metadata, rule.field);
      if (value === null || !compareText(value, rule.operator, rule.value)) return false;
    }
  }
  return true;
}
