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
import { compareParsedVersions, type ParsedVersion, parseVersion } from './version.js';

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

const toCamel = (field: string) => field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toSnake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The metadata value of `field` as text (also under its camelCase/snake_case twin), or null. */
export function readMetadataField(
  metadata: DeviceMetadata | undefined,
  field: string,
): string | null {
  return metadata ? readMetadata(metadata, [field, toCamel(field), toSnake(field)]) : null;
}

function readMetadata(metadata: DeviceMetadata, names: readonly string[]): string | null {
  for (const name of names) {
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

/** True when `platform` is in `platforms` (an empty list allows every platform). */
export function matchesPlatform(
  platforms: readonly Platform[] | undefined,
  platform: Platform | undefined,
): boolean {
  if (!platforms || platforms.length === 0) return true;
  return platform !== undefined && platforms.includes(platform);
}

/** A factor rule, ready to evaluate. */
interface CompiledFactorRule {
  kind: 'factor';
  factor: string;
  operator: FactorOperator;
  value: number;
}

/** A metadata rule, ready to evaluate: field spellings, lowercased and parsed targets. */
interface CompiledMetadataRule {
  kind: 'metadata';
  /** `field`, then its camelCase and snake_case twins when they differ. */
  names: readonly string[];
  operator: MetadataOperator;
  /** The target, lowercased (`eq`, `neq`, `contains`). */
  lower: string;
  /** The target as a version (`gte`, `lte`), else `null`. */
  version: ParsedVersion | null;
  /** Outcomes by user value: a user's metadata is compared once, not once per evaluation. */
  outcomes: Map<string, boolean>;
}

/**
 * Targeting rules compiled once by {@link compileTargeting}: normalized, field spellings
 * derived, targets lowercased and versions parsed, so an evaluation runs no regex, builds no
 * Map and parses nothing.
 */
export interface CompiledTargeting {
  /** The factor rules, in order. */
  readonly factorRules: readonly CompiledFactorRule[];
  /** The metadata rules, in order. */
  readonly metadataRules: readonly CompiledMetadataRule[];
  /** True when a rule could not be read: every evaluation then fails (targeting fails closed). */
  readonly malformed: boolean;
  /** Number of rules. */
  readonly size: number;
}

const compiledRules = new WeakMap<readonly TargetingRuleInput[], CompiledTargeting>();

function compileRule(rule: TargetingRule): CompiledFactorRule | CompiledMetadataRule {
  if (rule.kind === 'factor') return rule;
  const names = [rule.field];
  for (const twin of [toCamel(rule.field), toSnake(rule.field)])
    if (!names.includes(twin)) names.push(twin);
  const versioned = rule.operator === 'gte' || rule.operator === 'lte';
  return {
    kind: 'metadata',
    names,
    operator: rule.operator,
    lower: rule.value.toLowerCase(),
    version: versioned ? parseVersion(rule.value) : null,
    outcomes: new Map(),
  };
}

/**
 * Compiles targeting rules for repeated evaluation. The result is cached per rules array, so
 * an experiment's rules are compiled once however many users are evaluated: treat a rules
 * array as immutable once evaluated (experiments from a store always are; build a new array
 * to change them).
 */
export function compileTargeting(rules: readonly TargetingRuleInput[]): CompiledTargeting {
  const cached = compiledRules.get(rules);
  if (cached) return cached;
  const factorRules: CompiledFactorRule[] = [];
  const metadataRules: CompiledMetadataRule[] = [];
  let malformed = false;
  for (const input of rules) {
    let rule: TargetingRule;
    try {
      rule = normalizeTargetingRule(input);
    } catch {
      malformed = true;
      continue;
    }
    const compiled = compileRule(rule);
    if (compiled.kind === 'factor') factorRules.push(compiled);
    else metadataRules.push(compiled);
  }
  const result: CompiledTargeting = { factorRules, metadataRules, malformed, size: rules.length };
  compiledRules.set(rules, result);
  return result;
}

/** The user's value of a factor (the last matching row, as before), or `undefined`. */
function factorValue(
  factors: TargetingFactors,
  name: string,
  path: ComponentPath | undefined,
): number | undefined {
  if (Array.isArray(factors)) {
    const rows = factors as Exclude<TargetingFactors, Readonly<Record<string, number>>>;
    let found: number | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as (typeof rows)[number];
      if (path !== undefined && row.path !== undefined && row.path !== path) continue;
      if ((row.factor ?? row.factor_name) === name && Number.isFinite(row.value)) found = row.value;
    }
    return found;
  }
  if (!Object.prototype.propertyIsEnumerable.call(factors, name)) return undefined;
  const value = (factors as Readonly<Record<string, number>>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const OUTCOMES_MAX = 1024;

function matchesMetadataRule(value: string, rule: CompiledMetadataRule): boolean {
  let outcome = rule.outcomes.get(value);
  if (outcome === undefined) {
    // Bounded: a flood of distinct values (one per user) only costs recomputation.
    if (rule.outcomes.size >= OUTCOMES_MAX) rule.outcomes.clear();
    const { operator, lower } = rule;
    const text = value.toLowerCase();
    outcome = rule.version
      ? (operator === 'gte' ? 1 : -1) * compareParsedVersions(parseVersion(value), rule.version) >=
        0
      : operator === 'contains'
        ? text.includes(lower)
        : (text === lower) === (operator === 'eq');
    rule.outcomes.set(value, outcome);
  }
  return outcome;
}

/**
 * Evaluates compiled rules (no platform list): factor rules against `factors` on `path`,
 * metadata rules against `metadata` (`metadataRules: false` skips them, as the server's
 * assignment rule does). Same semantics as {@link evaluateTargeting}.
 */
export function matchesCompiledTargeting(
  compiled: CompiledTargeting,
  factors: TargetingFactors,
  metadata: DeviceMetadata | undefined,
  path: ComponentPath | undefined,
  metadataRules = true,
): boolean {
  if (compiled.malformed) return false;
  for (const rule of compiled.factorRules) {
    const value = factorValue(factors, rule.factor, path);
    if (value === undefined || !compareNumber(value, rule.operator, rule.value)) return false;
  }
  if (!metadataRules || compiled.metadataRules.length === 0) return true;
  if (!metadata) return false;
  for (const rule of compiled.metadataRules) {
    const value = readMetadata(metadata, rule.names);
    if (value === null || !matchesMetadataRule(value, rule)) return false;
  }
  return true;
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
 * The rules are compiled once per array (see {@link compileTargeting}). Signature as in 0.5
 * (`factors, rules, deviceMetadata`), plus options for the platform list.
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
  return matchesCompiledTargeting(compileTargeting(rules), factors, metadata, options.path);
}
