import { describe, expect, it } from 'vitest';
import { interval, level, pValue, signed } from './format.js';

describe('governor number formats', () => {
  it('labels each interval with its own level, Bonferroni-adjusted levels included', () => {
    expect(level(0.95)).toBe('95%');
    expect(level(1 - 0.05 / 3)).toBe('98.3%');
    expect(level(1 - 0.05 / 2)).toBe('97.5%');
    expect(level(1 - 0.05 / 6)).toBe('99.1%'); // 99.17%, rounded down
    expect(level(0.9999)).toBe('99.9%');
    expect(level(0.9)).toBe('90%');
  });

  it('never shows an impossible level', () => {
    for (const bad of [0, 1, -0.2, 1.5, Number.NaN]) expect(level(bad)).toBe('—');
  });

  it('formats intervals and p-values like the lifts table', () => {
    expect(interval([-0.1234, 0.5])).toBe(`${signed(-0.1234)} … ${signed(0.5)}`);
    expect(interval([-0.1234, 0.5])).toBe('−0.123 … +0.5');
    expect(interval(null)).toBe('—');
    expect(pValue(0.0004)).toBe('< 0.001');
    expect(pValue(0.01834)).toBe('0.018');
  });
});
