import {
  assertFactorName,
  FACTOR_CATALOG,
  FACTOR_NAMES,
  type FactorName,
  getFactorDefinition,
  isFactorName,
  queryComponentFactors,
  queryFactorDelta,
  queryFactorHistory,
  queryFactors,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { untouchableStore } from './stub-store.js';

describe('catalog', () => {
  it('lists the 11 factors of DESIGN §5 with their tier and direction, in a fixed order', () => {
    expect(FACTOR_CATALOG.map((f) => [f.name, f.tier, f.direction, f.unit])).toEqual([
      ['completion_rate', 'alarm', 'higher', 'ratio'],
      ['drop_off_rate', 'alarm', 'lower', 'ratio'],
      ['error_rate', 'alarm', 'lower', 'ratio'],
      ['retry_count', 'diagnostic', 'lower', 'count'],
      ['rage_click_count', 'diagnostic', 'lower', 'count'],
      ['dead_click_count', 'diagnostic', 'lower', 'count'],
      ['scroll_reversal_count', 'diagnostic', 'lower', 'count'],
      ['hesitation_ms', 'diagnostic', 'lower', 'ms'],
      ['component_depth', 'structural', null, 'count'],
      ['sibling_count', 'structural', null, 'count'],
      ['form_field_count', 'structural', null, 'count'],
    ]);
    expect(FACTOR_CATALOG.every((f) => f.description.length > 20)).toBe(true);
    expect(FACTOR_NAMES).toHaveLength(11);
  });

  it('is frozen: other code cannot change it', () => {
    expect(Object.isFrozen(FACTOR_CATALOG)).toBe(true);
    expect(Object.isFrozen(FACTOR_CATALOG[0])).toBe(true);
  });

  it('looks names up and rejects unknown ones with invalid_input', () => {
    expect(isFactorName('hesitation_ms')).toBe(true);
    expect(isFactorName('hesitation')).toBe(false);
    expect(isFactorName(undefined)).toBe(false);
    expect(getFactorDefinition('error_rate').direction).toBe('lower');
    expect(() => assertFactorName('bogus')).toThrow(/unknown factor "bogus"; use one of/);
    expect(() => getFactorDefinition('bogus' as FactorName)).toThrow(/unknown factor/);
  });
});

describe('queries validate their input before reaching the store', () => {
  const bogus = { factors: ['bogus'] as unknown as FactorName[] };
  const cases: [string, () => Promise<unknown>][] = [
    ['queryFactors: empty user', () => queryFactors(untouchableStore(), '')],
    ['queryFactors: bad path', () => queryFactors(untouchableStore(), 'u', 'a//b')],
    ['queryFactors: unknown factor', () => queryFactors(untouchableStore(), 'u', 'a/b', bogus)],
    ['queryComponentFactors: no path', () => queryComponentFactors(untouchableStore(), '')],
    [
      'queryComponentFactors: unknown factor',
      () => queryComponentFactors(untouchableStore(), 'a/b', bogus),
    ],
    [
      'queryFactorHistory: since not a date',
      () => queryFactorHistory(untouchableStore(), 'u', 'a/b', 'last tuesday'),
    ],
    [
      'queryFactorHistory: until not a date',
      () => queryFactorHistory(untouchableStore(), 'u', 'a/b', '2026-01-01', { until: 'soon' }),
    ],
    [
      'queryFactorDelta: from not a date',
      () => queryFactorDelta(untouchableStore(), 'u', 'a/b', 'x', '2026-01-01'),
    ],
    [
      'queryFactorDelta: invalid date',
      () => queryFactorDelta(untouchableStore(), 'u', 'a/b', '2026-01-01', new Date(Number.NaN)),
    ],
    [
      'queryFactorDelta: unknown factor',
      () => queryFactorDelta(untouchableStore(), 'u', 'a/b', '2026-01-01', '2026-01-02', bogus),
    ],
  ];
  for (const [name, call] of cases) {
    it(name, async () => {
      await expect(call()).rejects.toMatchObject({ name: 'FactoredError', code: 'invalid_input' });
    });
  }
});
