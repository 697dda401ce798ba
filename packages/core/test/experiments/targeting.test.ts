import {
  compareVersions,
  decideFlag,
  type Experiment,
  evaluateTargeting,
  FactoredError,
  normalizeTargetingRule,
  type TargetingRuleInput,
  validateExperimentDefinition,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

describe('compareVersions', () => {
  it.each([
    ['10.2', '9.9', 1],
    ['1.10.0', '1.9.3', 1],
    ['1.9.3', '1.10.0', -1],
    ['10.2', '10.2.0', 0],
    ['v2.0.0', '2.0', 0],
    ['2.0.0-beta', '2.0.0', -1],
    ['2.0.0-beta.2', '2.0.0-beta.10', -1],
    ['2.0.0-alpha', '2.0.0-alpha.1', -1],
    ['2.0.0+build.5', '2.0.0', 0],
    ['17.4.1', '17.4', 1],
    ['99999999999999999999.1', '99999999999999999998.9', 1],
    ['1.0.0a', '1.0.0', 1],
  ] as const)('%s vs %s -> %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });
});

describe('evaluateTargeting', () => {
  const factors = [
    {
      userId: 'u',
      path: 'a/b',
      factor: 'error_rate',
      value: 0.2,
      asOf: '2026-01-01T00:00:00.000Z',
    },
    {
      userId: 'u',
      path: 'a/b',
      factor: 'rage_click_count',
      value: 3,
      asOf: '2026-01-01T00:00:00.000Z',
    },
    {
      userId: 'u',
      path: 'other',
      factor: 'error_rate',
      value: 0.9,
      asOf: '2026-01-01T00:00:00.000Z',
    },
  ];

  it('compares factors with gt gte lt lte eq', () => {
    const rule = (
      operator: 'gt' | 'gte' | 'lt' | 'lte' | 'eq',
      value: number,
    ): TargetingRuleInput => ({
      kind: 'factor',
      factor: 'rage_click_count',
      operator,
      value,
    });
    expect(evaluateTargeting(factors, [rule('gt', 2)])).toBe(true);
    expect(evaluateTargeting(factors, [rule('gt', 3)])).toBe(false);
    expect(evaluateTargeting(factors, [rule('gte', 3)])).toBe(true);
    expect(evaluateTargeting(factors, [rule('lt', 3)])).toBe(false);
    expect(evaluateTargeting(factors, [rule('lte', 3)])).toBe(true);
    expect(evaluateTargeting(factors, [rule('eq', 3)])).toBe(true);
    expect(evaluateTargeting(factors, [rule('eq', 4)])).toBe(false);
  });

  it("reads only the experiment's path when given", () => {
    const rule: TargetingRuleInput = {
      kind: 'factor',
      factor: 'error_rate',
      operator: 'lt',
      value: 0.5,
    };
    expect(evaluateTargeting(factors, [rule], undefined, { path: 'a/b' })).toBe(true);
    expect(evaluateTargeting(factors, [rule], undefined, { path: 'other' })).toBe(false);
  });

  it('a missing factor means not enrolled, whatever the operator', () => {
    for (const operator of ['gt', 'gte', 'lt', 'lte', 'eq'] as const) {
      expect(
        evaluateTargeting(factors, [
          { kind: 'factor', factor: 'hesitation_ms', operator, value: 0 },
        ]),
      ).toBe(false);
    }
  });

  it('reads the 0.5 rule shapes', () => {
    expect(
      evaluateTargeting(
        factors,
        [{ factor: 'error_rate', operator: 'gte', threshold: 0.2 }],
        undefined,
        { path: 'a/b' },
      ),
    ).toBe(true);
    expect(
      evaluateTargeting({ error_rate: 0.1 }, [
        { type: 'factor', factor: 'error_rate', operator: 'gt', threshold: 0.2 },
      ]),
    ).toBe(false);
    expect(
      evaluateTargeting(
        [{ factor_name: 'error_rate', value: 0.3 }],
        [{ factor: 'error_rate', operator: 'gt', threshold: 0.2 }],
      ),
    ).toBe(true);
    expect(
      evaluateTargeting(
        [],
        [{ type: 'metadata', field: 'os_name', operator: 'eq', value: 'iOS' }],
        { os_name: 'ios' },
      ),
    ).toBe(true);
  });

  it('compares metadata with eq neq contains (case-insensitive) and versions with gte lte', () => {
    const metadata = {
      platform: 'ios',
      osVersion: '17.4.1',
      app_version: '10.2',
      deviceType: 'Tablet',
    };
    const rule = (
      field: string,
      operator: 'eq' | 'neq' | 'contains' | 'gte' | 'lte',
      value: string,
    ): TargetingRuleInput => ({
      kind: 'metadata',
      field,
      operator,
      value,
    });
    expect(evaluateTargeting([], [rule('deviceType', 'eq', 'tablet')], metadata)).toBe(true);
    expect(evaluateTargeting([], [rule('device_type', 'neq', 'tablet')], metadata)).toBe(false);
    expect(evaluateTargeting([], [rule('deviceType', 'contains', 'abl')], metadata)).toBe(true);
    expect(evaluateTargeting([], [rule('app_version', 'gte', '9.9')], metadata)).toBe(true);
    expect(evaluateTargeting([], [rule('appVersion', 'lte', '9.9')], metadata)).toBe(false);
    // snake_case rules find camelCase metadata and the other way round
    expect(evaluateTargeting([], [rule('os_version', 'gte', '17.4')], metadata)).toBe(true);
    expect(evaluateTargeting([], [rule('os_version', 'lte', '17.10')], metadata)).toBe(true);
  });

  it('a missing metadata field means not enrolled, also for neq', () => {
    expect(
      evaluateTargeting(
        [],
        [{ kind: 'metadata', field: 'locale', operator: 'neq', value: 'fr' }],
        {},
      ),
    ).toBe(false);
    expect(
      evaluateTargeting([], [{ kind: 'metadata', field: 'locale', operator: 'eq', value: 'fr' }]),
    ).toBe(false);
  });

  it('ANDs rules and checks the platform list', () => {
    const rules: TargetingRuleInput[] = [
      { kind: 'factor', factor: 'error_rate', operator: 'gt', value: 0.1 },
      { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0.0' },
    ];
    const metadata = { platform: 'web', app_version: '2.1.0' };
    expect(evaluateTargeting(factors, rules, metadata, { path: 'a/b' })).toBe(true);
    expect(
      evaluateTargeting(factors, rules, { ...metadata, app_version: '1.9' }, { path: 'a/b' }),
    ).toBe(false);
    expect(evaluateTargeting(factors, rules, metadata, { path: 'a/b', platforms: ['ios'] })).toBe(
      false,
    );
    expect(
      evaluateTargeting(factors, rules, metadata, { path: 'a/b', platforms: ['ios', 'web'] }),
    ).toBe(true);
    expect(evaluateTargeting(factors, [], {}, { platforms: ['web'] })).toBe(false);
    expect(evaluateTargeting(factors, [], {}, { platforms: ['web'], platform: 'web' })).toBe(true);
  });

  it('fails closed on a malformed stored rule', () => {
    expect(evaluateTargeting(factors, [{ kind: 'nope' } as unknown as TargetingRuleInput])).toBe(
      false,
    );
  });
});

describe('normalizeTargetingRule', () => {
  it('normalizes 0.5 shapes and rejects malformed rules with invalid_input', () => {
    expect(normalizeTargetingRule({ factor: 'error_rate', operator: 'gt', threshold: 1 })).toEqual({
      kind: 'factor',
      factor: 'error_rate',
      operator: 'gt',
      value: 1,
    });
    const bad = [
      { kind: 'factor', factor: 'made_up', operator: 'gt', value: 1 },
      { kind: 'factor', factor: 'error_rate', operator: 'between', value: 1 },
      { kind: 'factor', factor: 'error_rate', operator: 'gt', value: '1' },
      { kind: 'metadata', field: '', operator: 'eq', value: 'x' },
      { kind: 'metadata', field: 'os', operator: 'gt', value: 'x' },
      { kind: 'metadata', field: 'os', operator: 'eq', value: 3 },
      null,
    ];
    for (const rule of bad) {
      expect(() => normalizeTargetingRule(rule as unknown as TargetingRuleInput, 2)).toThrowError(
        expect.objectContaining({
          code: 'invalid_input',
          message: expect.stringContaining('targeting[2]'),
        }),
      );
    }
  });
});

describe('validateExperimentDefinition', () => {
  const base = {
    name: 'exp',
    path: 'a/b/c',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'b', weight: 50 },
    ],
  };
  const reject = (overrides: Record<string, unknown>, field: string) => {
    let error: unknown;
    try {
      validateExperimentDefinition({ ...base, ...overrides } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FactoredError);
    expect((error as FactoredError).code).toBe('invalid_input');
    expect((error as FactoredError).message).toContain(field);
  };

  it('fills defaults', () => {
    expect(validateExperimentDefinition(base)).toEqual({
      ...base,
      description: '',
      coverage: 1,
      targeting: [],
      platforms: [],
      seed: 'exp',
    });
  });

  it('names the bad field', () => {
    reject({ name: '  ' }, 'name');
    reject({ path: 'a//b' }, 'path');
    reject({ path: 'a/b/c/d/e' }, 'path');
    reject({ variants: [{ key: 'control', weight: 100 }] }, 'at least 2');
    reject(
      {
        variants: [
          { key: 'a', weight: 50 },
          { key: 'b', weight: 50 },
        ],
      },
      'control',
    );
    reject(
      {
        variants: [
          { key: 'control', weight: 50 },
          { key: 'control', weight: 50 },
        ],
      },
      'duplicate',
    );
    reject(
      {
        variants: [
          { key: 'control', weight: 60 },
          { key: 'b', weight: 50 },
        ],
      },
      'sum to 100',
    );
    reject(
      {
        variants: [
          { key: 'control', weight: -10 },
          { key: 'b', weight: 110 },
        ],
      },
      'weight',
    );
    reject(
      {
        variants: [
          { key: 'control', weight: 50, config: { d: new Date() } },
          { key: 'b', weight: 50 },
        ],
      },
      'config',
    );
    reject(
      {
        variants: [
          { key: 'control', weight: 50, spec: { name: 's', version: 0 } },
          { key: 'b', weight: 50 },
        ],
      },
      'spec',
    );
    reject({ coverage: 0 }, 'coverage');
    reject({ coverage: 0.12345 }, 'coverage');
    reject({ coverage: Number.NaN }, 'coverage');
    reject({ seed: 'with\u001fseparator' }, 'seed');
    reject({ platforms: ['web', 'web'] }, 'platforms');
    reject({ targeting: 'all' }, 'targeting');
  });
});

describe('decideFlag', () => {
  const experiment: Experiment = {
    id: 'e1',
    name: 'exp',
    description: '',
    path: 'a/b',
    variants: [
      { key: 'control', weight: 50, config: { label: 'A' } },
      { key: 'b', weight: 50, config: { label: 'B' } },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: 'exp',
    status: 'running',
    winner: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
  };

  it('buckets with reason SPLIT, or TARGETING_MATCH when rules matched', () => {
    const split = decideFlag(experiment, { userId: 'u1' });
    expect(split).toMatchObject({ reason: 'SPLIT', inExperiment: true, experimentId: 'e1' });
    const targeted = decideFlag(
      { ...experiment, platforms: ['web'] },
      { userId: 'u1', platform: 'web' },
    );
    expect(targeted).toMatchObject({ reason: 'TARGETING_MATCH', variantKey: split.variantKey });
  });

  it('a stored assignment wins over bucketing and targeting (sticky)', () => {
    const bucketed = decideFlag(experiment, { userId: 'u1' }).variantKey;
    const other = bucketed === 'control' ? 'b' : 'control';
    const sticky = decideFlag(
      { ...experiment, platforms: ['ios'] },
      {
        userId: 'u1',
        platform: 'web',
        assignment: {
          userId: 'u1',
          experimentId: 'e1',
          variantKey: other,
          assignedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    );
    expect(sticky).toMatchObject({ variantKey: other, inExperiment: true });
  });

  it('is not enrolled for the wrong platform, exclusion, targeting, coverage, drafts and stopped ones', () => {
    expect(decideFlag({ ...experiment, platforms: ['ios'] }, { userId: 'u' }).cause).toBe(
      'platform',
    );
    expect(decideFlag(experiment, { userId: 'u', excluded: true }).cause).toBe('excluded');
    expect(
      decideFlag(
        {
          ...experiment,
          targeting: [{ kind: 'factor', factor: 'error_rate', operator: 'gt', value: 0 }],
        },
        { userId: 'u' },
      ).cause,
    ).toBe('targeting');
    expect(decideFlag({ ...experiment, status: 'draft' }, { userId: 'u' })).toMatchObject({
      cause: 'draft',
      reason: 'DEFAULT',
      variantKey: null,
    });
    expect(decideFlag({ ...experiment, status: 'stopped' }, { userId: 'u' }).cause).toBe('stopped');
    let outOfCoverage = 0;
    for (let i = 0; i < 1000; i++) {
      if (decideFlag({ ...experiment, coverage: 0.1 }, { userId: `u${i}` }).cause === 'coverage')
        outOfCoverage += 1;
    }
    expect(outOfCoverage).toBeGreaterThan(850);
    expect(outOfCoverage).toBeLessThan(950);
  });

  it('a concluded experiment serves its winner to everyone (STATIC, no exposure)', () => {
    const concluded = decideFlag(
      { ...experiment, status: 'concluded', winner: 'b' },
      { userId: 'u', platform: 'x' },
    );
    expect(concluded).toMatchObject({
      variantKey: 'b',
      config: { label: 'B' },
      reason: 'STATIC',
      inExperiment: false,
    });
  });
});
