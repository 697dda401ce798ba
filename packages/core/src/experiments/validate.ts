import type { Platform } from '../capture/types.js';
import { assertComponentPath } from '../capture/validate.js';
import { FactoredError } from '../errors.js';
import { jsonLimitProblem, LIMITS } from '../limits.js';
import { isJsonValue, type JsonObject } from '../util/json.js';
import { BUCKET_COUNT } from './hash.js';
import { normalizeTargetingRule } from './targeting.js';
import type {
  ExperimentDefinition,
  ExperimentLayer,
  NewExperiment,
  TargetingRule,
  Variant,
} from './types.js';

/** Longest accepted experiment name, variant key or seed (`LIMITS.experimentNameChars`). */
export const MAX_EXPERIMENT_NAME_LENGTH = LIMITS.experimentNameChars;
/** The variant every experiment must have. */
export const CONTROL_VARIANT = 'control';

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function fail(field: string, message: string): never {
  throw new FactoredError('invalid_input', `${field}: ${message}.`, { details: { field } });
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    fail(field, `a non-empty string is required, got ${JSON.stringify(value)}`);
  if (value.length > MAX_EXPERIMENT_NAME_LENGTH)
    fail(
      field,
      `${value.length} characters long; the limit is ${MAX_EXPERIMENT_NAME_LENGTH} (LIMITS.experimentNameChars)`,
    );
  if (CONTROL_CHARS.test(value)) fail(field, 'control characters are not allowed');
  return value;
}

/**
 * Checks a seed (or a name used as one): a non-empty string of at most
 * `LIMITS.experimentNameChars` characters without control characters. `invalid_input` naming
 * `field` otherwise.
 */
export function validateSeed(value: unknown, field = 'seed'): string {
  return checkName(value, field);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkVariants(value: unknown): Variant[] {
  if (!Array.isArray(value)) fail('variants', 'an array of variants is required');
  if (value.length < 2)
    fail('variants', `at least 2 variants are required (one of them "${CONTROL_VARIANT}")`);
  if (value.length > LIMITS.experimentVariants)
    fail(
      'variants',
      `${value.length} variants; the limit is ${LIMITS.experimentVariants} (LIMITS.experimentVariants)`,
    );
  const keys = new Set<string>();
  let total = 0;
  const variants = value.map((raw: unknown, index): Variant => {
    const field = `variants[${index}]`;
    if (!isPlainObject(raw)) fail(field, 'a variant must be an object');
    const key = checkName(raw.key, `${field}.key`);
    if (keys.has(key)) fail(`${field}.key`, `duplicate variant key ${JSON.stringify(key)}`);
    keys.add(key);
    const weight = raw.weight;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100)
      fail(
        `${field}.weight`,
        `an integer percentage in [0, 100] is required, got ${String(weight)}`,
      );
    total += weight;
    const variant: Variant = { key, weight };
    if (raw.config !== undefined) {
      if (!isPlainObject(raw.config) || !isJsonValue(raw.config))
        fail(`${field}.config`, 'a plain JSON object is required');
      const problem = jsonLimitProblem(raw.config, 'config', 'variantConfigBytes');
      if (problem) fail(`${field}.config`, problem);
      variant.config = structuredClone(raw.config) as JsonObject;
    }
    if (raw.spec !== undefined) {
      const spec = raw.spec;
      if (
        !isPlainObject(spec) ||
        typeof spec.name !== 'string' ||
        spec.name.length === 0 ||
        typeof spec.version !== 'number' ||
        !Number.isInteger(spec.version) ||
        spec.version < 1
      )
        fail(`${field}.spec`, 'expected { name: non-empty string, version: positive integer }');
      variant.spec = { name: spec.name, version: spec.version };
    }
    return variant;
  });
  if (!keys.has(CONTROL_VARIANT))
    fail('variants', `a variant with key "${CONTROL_VARIANT}" is required`);
  if (total !== 100) fail('variants', `weights must sum to 100, got ${total}`);
  return variants;
}

function checkCoverage(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1)
    fail('coverage', `a fraction in (0, 1] is required, got ${String(value)}`);
  const buckets = value * BUCKET_COUNT;
  if (Math.abs(buckets - Math.round(buckets)) > 1e-6)
    fail('coverage', `at most 4 decimals (1/${BUCKET_COUNT} steps), got ${value}`);
  return value;
}

function checkTargeting(value: unknown): TargetingRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('targeting', 'an array of rules is required');
  if (value.length > LIMITS.experimentTargetingRules)
    fail(
      'targeting',
      `${value.length} rules; the limit is ${LIMITS.experimentTargetingRules} (LIMITS.experimentTargetingRules)`,
    );
  return value.map((rule, index) => {
    const normalized = normalizeTargetingRule(rule, index);
    const problem = jsonLimitProblem(normalized, 'a rule', 'variantConfigBytes');
    if (problem) fail(`targeting[${index}]`, problem);
    return normalized;
  });
}

function checkPlatforms(value: unknown): Platform[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('platforms', 'an array of platform names is required');
  if (value.length > LIMITS.experimentPlatforms)
    fail(
      'platforms',
      `${value.length} platforms; the limit is ${LIMITS.experimentPlatforms} (LIMITS.experimentPlatforms)`,
    );
  const seen = new Set<string>();
  for (const [index, platform] of value.entries()) {
    if (typeof platform !== 'string' || platform.length === 0)
      fail(`platforms[${index}]`, 'a non-empty string is required');
    if (platform.length > LIMITS.platformChars)
      fail(
        `platforms[${index}]`,
        `${platform.length} characters long; the limit is ${LIMITS.platformChars} (LIMITS.platformChars)`,
      );
    if (seen.has(platform)) fail(`platforms[${index}]`, `duplicate platform ${platform}`);
    seen.add(platform);
  }
  return [...seen];
}

function checkLayer(value: unknown): ExperimentLayer | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) fail('layer', 'expected { name, start, end } or null');
  const name = checkName(value.name, 'layer.name');
  const { start, end } = value;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0 || start >= BUCKET_COUNT)
    fail(
      'layer.start',
      `an integer bucket in [0, ${BUCKET_COUNT}) is required, got ${String(start)}`,
    );
  if (typeof end !== 'number' || !Number.isInteger(end) || end <= start || end > BUCKET_COUNT)
    fail(
      'layer.end',
      `an integer bucket in (${start}, ${BUCKET_COUNT}] is required (the range is [start, end)), got ${String(end)}`,
    );
  const extra = Object.keys(value).find((k) => k !== 'name' && k !== 'start' && k !== 'end');
  if (extra !== undefined) fail(`layer.${extra}`, 'unknown field (a layer has name, start, end)');
  return { name, start, end };
}

/**
 * Validates a new experiment and returns its normalized {@link ExperimentDefinition}: unique
 * non-empty name, valid component path, >= 2 variants with unique keys including `control`,
 * integer weights summing to 100, coverage in (0, 1] in 1/10,000 steps, well-formed targeting
 * rules (0.5 shapes normalized), platform names, and a seed without control characters
 * (default: the name), an optional layer slice `{ name, start, end }` with integer buckets
 * `0 <= start < end <= 10000` and a name like a seed, all within `LIMITS` (name, key and seed characters, description
 * characters, variant, rule and platform counts, config and rule bytes and JSON depth).
 * Throws `invalid_input` naming the first bad field.
 */
export function validateExperimentDefinition(input: NewExperiment): ExperimentDefinition {
  if (!isPlainObject(input)) fail('experiment', 'an experiment definition object is required');
  const name = checkName(input.name, 'name');
  if (input.description !== undefined && typeof input.description !== 'string')
    fail('description', 'a string is required');
  if (
    input.description !== undefined &&
    input.description.length > LIMITS.experimentDescriptionChars
  )
    fail(
      'description',
      `${input.description.length} characters long; the limit is ${LIMITS.experimentDescriptionChars} (LIMITS.experimentDescriptionChars)`,
    );
  assertComponentPath(input.path, 'path');
  const seed = input.seed === undefined ? name : checkName(input.seed, 'seed');
  const layer = checkLayer(input.layer);
  return {
    name,
    description: input.description ?? '',
    path: input.path,
    variants: checkVariants(input.variants),
    coverage: checkCoverage(input.coverage),
    targeting: checkTargeting(input.targeting),
    platforms: checkPlatforms(input.platforms),
    seed,
    ...(layer ? { layer } : {}),
  };
}
