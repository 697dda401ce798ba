import {
  analyzeMetric,
  type MetricVariantStatistics,
  metricSummary,
  summarizeValues,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

/*
 * Reference values computed once with statsmodels 0.15.0 and SciPy 1.17.1 (NumPy, CPython 3),
 * never at test time:
 *
 *   from statsmodels.stats._delta_method import NonlinearDeltaCov
 *   params = [mean(y), mean(d)]; cov = numpy.cov([y, d], ddof=1) / n
 *   dm = NonlinearDeltaCov(lambda p: numpy.array([p[0] / p[1]]), params, cov)
 *   dm.predicted()[0], dm.se_vectorized()[0]
 *
 * and for the comparison, Welch on the two delta-method arms:
 *
 *   scipy.stats.ttest_ind_from_stats(r_t, se_t * sqrt(n_t), n_t, r_c, se_c * sqrt(n_c), n_c,
 *                                    equal_var=False)
 *
 * statsmodels differentiates numerically, so the tolerance is 1e-6 relative.
 */
const close = (actual: number | null | undefined, expected: number, tol = 1e-6) =>
  expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(
    tol * Math.max(1, Math.abs(expected)),
  );

const CONTROL_Y = [12.5, 0, 30, 7.25, 0, 55, 19.5, 0, 3.75, 42, 8, 0];
const CONTROL_D = [1, 0, 2, 1, 1, 3, 1, 0, 1, 2, 1, 1];
const TREATMENT_Y = [20, 0, 35.5, 9.25, 14, 60, 0, 22.5, 5, 48, 11, 6.5];
const TREATMENT_D = [1, 1, 2, 1, 1, 3, 0, 1, 1, 2, 1, 1];

function sums(variantKey: string, y: number[], d: number[]): MetricVariantStatistics {
  const s = {
    variantKey,
    assigned: y.length,
    n: y.length,
    sumY: 0,
    sumY2: 0,
    sumD: 0,
    sumD2: 0,
    sumYD: 0,
  };
  y.forEach((yi, i) => {
    const di = d[i] as number;
    s.sumY += yi;
    s.sumY2 += yi * yi;
    s.sumD += di;
    s.sumD2 += di * di;
    s.sumYD += yi * di;
  });
  return s;
}

const control = sums('control', CONTROL_Y, CONTROL_D);
const treatment = sums('treatment', TREATMENT_Y, TREATMENT_D);

describe('delta method for ratio metrics (statsmodels NonlinearDeltaCov)', () => {
  it('ratio and its standard error per arm', () => {
    const c = metricSummary(control);
    close(c.mean, 12.714285714285714);
    close(Math.sqrt(c.variance / c.n), 2.4534774326712916);
    const t = metricSummary(treatment);
    close(t.mean, 15.45);
    close(Math.sqrt(t.variance / t.n), 2.265579061707732);
  });

  it('treatment vs control: Welch on the delta-method arms (scipy ttest_ind_from_stats)', () => {
    const analysis = analyzeMetric(
      {
        metric: { name: 'revenue-per-order', version: 1, kind: 'ratio', direction: 'higher' },
        statistics: [control, treatment],
      },
      ['control', 'treatment'],
      { inference: 'fixed', sequentialTargetSampleSize: 2000 },
      0.05,
    );
    const [comparison] = analysis.comparisons;
    expect(comparison).toMatchObject({ method: 'delta', outcome: 'inconclusive' });
    close(comparison?.effect, 15.45 - 12.714285714285714);
    close((comparison?.effect ?? 0) / (comparison?.standardError ?? 1), 0.8191936354068498);
    close(comparison?.pValue, 0.4215170196489585);
    expect(analysis.variants.map((v) => v.value)).toEqual([control.sumY / control.sumD, 15.45]);
  });

  it('with d = 1 for every user it is the plain mean and sample variance', () => {
    const y = [0, 1, 1, 0, 1, 1, 1, 0];
    const s = metricSummary(
      sums(
        'control',
        y,
        y.map(() => 1),
      ),
    );
    const plain = summarizeValues(y);
    close(s.mean, plain.mean, 1e-12);
    close(s.variance, plain.variance, 1e-12);
  });

  it('has no estimate without a denominator or with fewer than 2 users', () => {
    expect(metricSummary(sums('control', [1, 2], [0, 0])).mean).toBeNaN();
    expect(metricSummary(sums('control', [3], [1])).variance).toBeNaN();
    const analysis = analyzeMetric(
      {
        metric: { name: 'm', version: 1, kind: 'ratio', direction: 'higher' },
        statistics: [sums('control', [1, 2], [0, 0]), treatment],
      },
      ['control', 'treatment'],
      { inference: 'fixed', sequentialTargetSampleSize: 2000 },
      0.05,
    );
    expect(analysis.comparisons[0]).toMatchObject({ outcome: 'insufficient_data', effect: null });
  });
});
