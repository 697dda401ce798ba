/**
 * The targeting and version comparison of FactoredUI before rules were compiled (issue #18),
 * kept verbatim as the reference the randomized equivalence test compares against.
 */
import {
  type ComponentPath,
  type DeviceMetadata,
  type FactorOperator,
  type MetadataOperator,
  normalizeTargetingRule,
  type Platform,
  type TargetingFactors,
  type TargetingOptions,
  type TargetingRule,
  type TargetingRuleInput,
} from '@factoredui/core';

export function referenceCompareVersions(a: string, b: string): -1 | 0 | 1 {
  const [releaseA, preA] = splitVersion(a);
  const [releaseB, preB] = splitVersion(b);
  const byRelease = compareSegments(releaseA, releaseB, true);
  if (byRelease !== 0) return byRelease;
  if (preA === null) return preB === null ? 0 : 1;
  if (preB === null) return -1;
  return compareSegments(preA, preB, false);
}

function splitVersion(version: string): [string[], string[] | null] {
  let text = version.trim();
  if (text.startsWith('v') || text.startsWith('V')) text = text.slice(1);
  const plus = text.indexOf('+');
  if (plus >= 0) text = text.slice(0, plus);
  const dash = text.indexOf('-');
  const release = dash >= 0 ? text.slice(0, dash) : text;
  const pre = dash >= 0 ? text.slice(dash + 1) : null;
  return [release.split('.'), pre === null ? null : pre.split('.')];
}

const NUMERIC = /^\d+$/;

function compareSegments(a: string[], b: string[], padWithZero: boolean): -1 | 0 | 1 {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? (padWithZero ? '0' : undefined);
    const y = b[i] ?? (padWithZero ? '0' : undefined);
    // Pre-release: a shorter list of identifiers sorts first (SemVer 11.4.4).
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareSegment(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function compareSegment(x: string, y: string): -1 | 0 | 1 {
  const xNumeric = NUMERIC.test(x);
  const yNumeric = NUMERIC.test(y);
  if (xNumeric && yNumeric) {
    // Compare as digit strings so versions beyond 2^53 stay exact.
    const xs = x.replace(/^0+(?=\d)/, '');
    const ys = y.replace(/^0+(?=\d)/, '');
    if (xs.length !== ys.length) return xs.length < ys.length ? -1 : 1;
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  if (xNumeric) return -1;
  if (yNumeric) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
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

function readMetadataField(metadata: DeviceMetadata | undefined, field: string): string | null {
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
      return referenceCompareVersions(value, target) >= 0;
    case 'lte':
      return referenceCompareVersions(value, target) <= 0;
  }
}

function matchesPlatform(
  platforms: readonly Platform[] | undefined,
  platform: Platform | undefined,
): boolean {
  if (!platforms || platforms.length === 0) return true;
  return platform !== undefined && platforms.includes(platform);
}

export function referenceEvaluateTargeting(
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
