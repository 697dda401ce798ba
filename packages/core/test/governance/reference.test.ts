import {
  chiSquareUpperTail,
  normalQuantile,
  sampleRatioMismatchTest,
  studentTQuantile,
  studentTTwoSidedPValue,
  summarizeSums,
  summarizeValues,
  welchTest,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

/*
 * Reference values computed once with SciPy 1.17.1 (NumPy 2.4.6, CPython 3) — never at test
 * time. The exact calls are next to each value. Tolerance: 1e-6 (absolute, and relative for
 * the large statistics).
 */
const close = (actual: number, expected: number, tol = 1e-6) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

const A = [12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 16.4, 14.8, 13.1, 12.2, 15.9, 14.0];
const B = [
  11.2, 12.8, 10.9, 13.5, 12.1, 11.7, 12.9, 10.4, 13.3, 11.1, 12.6, 11.9, 12.4, 10.8, 13.0,
];
const C = [0.31, 0.52, 0.44, 0.29, 0.61, 0.47, 0.38, 0.55];
const D = [0.42, 0.36, 0.58, 0.49, 0.33, 0.51, 0.45, 0.4, 0.47, 0.39];

describe('Welch t-test matches scipy.stats.ttest_ind(equal_var=False)', () => {
  it('clear difference: t, df, p and 95%/99% CIs', () => {
    // r = scipy.stats.ttest_ind(A, B, equal_var=False)
    // r.statistic, r.pvalue, r.df, r.confidence_interval(0.95), r.confidence_interval(0.99)
    const r95 = welchTest(summarizeValues(A), summarizeValues(B), 0.05);
    const r99 = welchTest(summarizeValues(A), summarizeValues(B), 0.01);
    expect(r95).not.toBeNull();
    if (!r95 || !r99) return;
    close(r95.t, 3.5933756515419035);
    close(r95.pValue, 0.0020717163933416795);
    close(r95.df, 18.039023560553083);
    close(r95.ci[0], 0.7588436403305134);
    close(r95.ci[1], 2.8944896930028152);
    close(r99.ci[0], 0.3637998186971916);
    close(r99.ci[1], 3.2895335146361373);
  });

  it('no real difference: large p-value, CI spanning 0', () => {
    // r = scipy.stats.ttest_ind(C, D, equal_var=False); r.confidence_interval(0.95)
    const r = welchTest(summarizeValues(C), summarizeValues(D));
    expect(r).not.toBeNull();
    if (!r) return;
    close(r.t, 0.13351033419518565);
    close(r.pValue, 0.8960714480234924);
    close(r.df, 11.63356792093459);
    close(r.ci[0], -0.09610390678574852);
    close(r.ci[1], 0.1086039067857487);
  });

  it('from summary statistics, as a store delivers them', () => {
    // scipy.stats.ttest_ind_from_stats(mean1=1.052, std1=0.98, nobs1=5000,
    //   mean2=1.0, std2=1.01, nobs2=4800, equal_var=False)
    const t = { n: 5000, mean: 1.052, variance: 0.98 ** 2 };
    const c = { n: 4800, mean: 1.0, variance: 1.01 ** 2 };
    const r = welchTest(t, c);
    expect(r).not.toBeNull();
    if (!r) return;
    close(r.t, 2.5851750580728954);
    close(r.pValue, 0.009747340016503254);
  });

  it('sums give the same summary as the values', () => {
    const s = summarizeValues(A);
    const sum = A.reduce((x, y) => x + y, 0);
    const sumSq = A.reduce((x, y) => x + y * y, 0);
    expect(summarizeSums(A.length, sum, sumSq)).toEqual(s);
  });

  it('is undefined with fewer than 2 values or no variance at all', () => {
    expect(welchTest(summarizeValues([1]), summarizeValues(B))).toBeNull();
    expect(welchTest(summarizeValues([2, 2, 2]), summarizeValues([1, 1, 1]))).toBeNull();
  });
});

describe('sample ratio mismatch matches scipy.stats.chisquare', () => {
  it('45/55 of 1000 on 50/50', () => {
    // scipy.stats.chisquare([450, 550], [500, 500])
    const r = sampleRatioMismatchTest([450, 550], [50, 50]);
    close(r.statistic, 10.0);
    close(r.pValue, 0.001565402258002549);
    expect(r.df).toBe(1);
  });
  it('three equal-weight variants', () => {
    // scipy.stats.chisquare([3350, 3290, 3360], [10000/3] * 3)
    const r = sampleRatioMismatchTest([3350, 3290, 3360], [1, 1, 1]);
    close(r.statistic, 0.86);
    close(r.pValue, 0.6505090947233165);
  });
  it('unequal weights 25/75', () => {
    // scipy.stats.chisquare([820, 2180], [750, 2250])
    const r = sampleRatioMismatchTest([820, 2180], [25, 75]);
    close(r.statistic, 8.71111111111111);
    close(r.pValue, 0.003162763790369105);
  });
  it('a healthy split', () => {
    // scipy.stats.chisquare([5012, 4988], [5000, 5000])
    const r = sampleRatioMismatchTest([5012, 4988], [50, 50]);
    close(r.statistic, 0.0576);
    close(r.pValue, 0.8103302566044083);
  });
  it('rejects malformed input with invalid_input', () => {
    expect(() => sampleRatioMismatchTest([1], [1])).toThrow(/at least 2 variants/);
    expect(() => sampleRatioMismatchTest([1, -1], [1, 1])).toThrow(/non-negative integers/);
    expect(() => sampleRatioMismatchTest([1, 1], [1, 0])).toThrow(/positive/);
  });
});

describe('distribution functions match scipy.stats', () => {
  it('t quantile, t two-sided p, normal quantile, chi-square upper tail', () => {
    close(studentTQuantile(0.975, 7.5), 2.333039626864974); // scipy.stats.t.ppf(0.975, 7.5)
    close(studentTTwoSidedPValue(3.2, 12.25), 0.007453350832331598); // 2 * scipy.stats.t.sf(3.2, 12.25)
    close(normalQuantile(0.995), 2.5758293035489004); // scipy.stats.norm.ppf(0.995)
    close(chiSquareUpperTail(20, 1), 7.744216431044088e-6); // scipy.stats.chi2.sf(20, 1)
  });
  it('t with enormous degrees of freedom is the normal', () => {
    close(studentTQuantile(0.975, Number.POSITIVE_INFINITY), 1.959963984540054);
    close(studentTTwoSidedPValue(1.959963984540054, 1e15), 0.05);
  });
});
