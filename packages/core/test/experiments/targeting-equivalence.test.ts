import {
  compareVersions,
  createSeededRandom,
  type DeviceMetadata,
  decideAssignment,
  decideFlag,
  type Experiment,
  evaluateTargeting,
  normalizeTargetingRule,
  type TargetingFactors,
  type TargetingRuleInput,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { referenceCompareVersions, referenceEvaluateTargeting } from './targeting-reference.js';

const FACTORS = ['error_rate', 'hesitation_ms', 'rage_click_count', 'completion_rate'];
const FIELDS = ['app_version', 'appVersion', 'os_version', 'device_type', 'locale', 'platform'];
const VERSIONS = [
  '1.2.0',
  '1.10',
  'v2.0.0',
  '2.0.0-beta.2',
  '2.0.0-beta.10',
  '2.0.0-rc',
  '2.0.0+5',
  '010.2',
  '10.2',
  '1.0.0a',
  '99999999999999999999.1',
  ' 3.1 ',
  '',
  '1..2',
  'V1',
  '1.2.3-alpha.01',
];
const WORDS = ['mobile', 'MOBILE', 'desktop', 'tablet', 'en-US', 'en', 'de', 'web', 'ios'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomRule(random: () => number): TargetingRuleInput {
  const r = random();
  if (r < 0.4)
    return {
      kind: 'factor',
      factor: pick(random, FACTORS),
      operator: pick(random, ['gt', 'gte', 'lt', 'lte', 'eq']),
      value: pick(random, [0, 0.1, 0.5, 1, 2, 500]),
    } as TargetingRuleInput;
  if (r < 0.5)
    // The 0.5 shape.
    return {
      factor: pick(random, FACTORS),
      operator: pick(random, ['gt', 'lt']),
      threshold: pick(random, [0.2, 3]),
    } as TargetingRuleInput;
  if (r < 0.95) {
    const operator = pick(random, ['eq', 'neq', 'contains', 'gte', 'lte'] as const);
    return {
      kind: 'metadata',
      field: pick(random, FIELDS),
      operator,
      value:
        operator === 'gte' || operator === 'lte' ? pick(random, VERSIONS) : pick(random, WORDS),
    } as TargetingRuleInput;
  }
  // Malformed rows (a stored rule that cannot be read).
  return pick(random, [
    { kind: 'factor', factor: 'nope', operator: 'gt', value: 1 },
    { kind: 'metadata', field: '', operator: 'eq', value: 'x' },
    { kind: 'other' },
    null,
  ]) as unknown as TargetingRuleInput;
}

function randomFactors(random: () => number): TargetingFactors {
  if (random() < 0.3) {
    const record: Record<string, number> = {};
    for (const factor of FACTORS)
      if (random() < 0.6) record[factor] = pick(random, [0, 0.05, 0.5, 1, 3, 700, Number.NaN]);
    return record;
  }
  return Array.from({ length: Math.floor(random() * 8) }, () => ({
    ...(random() < 0.8
      ? { factor: pick(random, FACTORS) }
      : { factor_name: pick(random, FACTORS) }),
    value: pick(random, [0, 0.05, 0.5, 1, 3, 700, Number.POSITIVE_INFINITY]),
    ...(random() < 0.5 ? { path: pick(random, ['a/b', 'c/d']) } : {}),
  }));
}

function randomMetadata(random: () => number): DeviceMetadata | undefined {
  if (random() < 0.1) return undefined;
  const metadata: Record<string, unknown> = {};
  for (const field of [...FIELDS, 'osVersion', 'deviceType']) {
    const r = random();
    if (r < 0.35) continue;
    metadata[field] =
      r < 0.6 ? pick(random, VERSIONS) : r < 0.85 ? pick(random, WORDS) : r < 0.93 ? 10.5 : true;
  }
  return metadata;
}

describe('compiled targeting gives the decisions of the previous implementation', () => {
  it('evaluateTargeting: 20,000 random rule sets, factors and metadata', () => {
    const random = createSeededRandom(1818);
    let enrolled = 0;
    for (let i = 0; i < 20_000; i++) {
      const rules = Array.from({ length: Math.floor(random() * 4) }, () => randomRule(random));
      const factors = randomFactors(random);
      const metadata = randomMetadata(random);
      const options = {
        ...(random() < 0.5 ? { path: pick(random, ['a/b', 'c/d']) } : {}),
        ...(random() < 0.3 ? { platforms: [pick(random, ['web', 'ios'] as const)] } : {}),
      };
      const expected = referenceEvaluateTargeting(factors, rules, metadata, options);
      // Twice: the second call reads the compiled cache.
      expect(evaluateTargeting(factors, rules, metadata, options)).toBe(expected);
      expect(evaluateTargeting(factors, rules, metadata, options), JSON.stringify(rules)).toBe(
        expected,
      );
      if (expected) enrolled += 1;
    }
    // Both outcomes are exercised.
    expect(enrolled).toBeGreaterThan(2_000);
    expect(enrolled).toBeLessThan(18_000);
  });

  it('decideFlag and decideAssignment agree with the previous targeting on every user', () => {
    const random = createSeededRandom(77);
    for (let i = 0; i < 2_000; i++) {
      const targeting = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
        randomRule(random),
      );
      const experiment = {
        id: `e${i}`,
        name: `flag-${i}`,
        path: 'a/b',
        seed: `seed-${i}`,
        coverage: 1,
        status: 'running',
        targeting,
        platforms: [],
        variants: [
          { key: 'control', weight: 50 },
          { key: 'treatment', weight: 50 },
        ],
      } as unknown as Experiment;
      const factors = randomFactors(random);
      const metadata = randomMetadata(random);
      const targeted = referenceEvaluateTargeting(factors, targeting, metadata, { path: 'a/b' });
      const decision = decideFlag(experiment, {
        userId: `u${i}`,
        factors,
        ...(metadata ? { metadata } : {}),
      });
      expect(decision.cause === 'targeting').toBe(!targeted);
      // The previous server rule: metadata rules skipped, malformed rules kept (they fail).
      const serverRules = targeting.filter((rule) => {
        try {
          return normalizeTargetingRule(rule).kind !== 'metadata';
        } catch {
          return true;
        }
      });
      const serverTargeted = referenceEvaluateTargeting(factors, serverRules, undefined, {
        path: 'a/b',
      });
      expect(decideAssignment(experiment, `u${i}`, factors).cause === 'targeting').toBe(
        !serverTargeted,
      );
    }
  });

  it('compareVersions: every pair of the version corpus', () => {
    for (const a of VERSIONS)
      for (const b of VERSIONS) expect(compareVersions(a, b)).toBe(referenceCompareVersions(a, b));
  });

  it('a rules array edited in place is the caller’s responsibility; a new array is recompiled', () => {
    const rules: TargetingRuleInput[] = [
      { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0' },
    ];
    expect(evaluateTargeting([], rules, { app_version: '2.1' })).toBe(true);
    const changed = [{ ...rules[0], value: '3.0' } as TargetingRuleInput];
    expect(evaluateTargeting([], changed, { app_version: '2.1' })).toBe(false);
  });
});
