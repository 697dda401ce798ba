import {
  compareHoldout,
  type FactoredStore,
  type FactorValue,
  type Holdout,
  holdoutReadout,
  isHeldOut,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const HOLDOUT = { share: 0.3, seed: 'readout' };

/** 40 users; everyone outside the holdout got +0.35 from what shipped. */
const OBSERVATIONS = Array.from({ length: 40 }, (_, i) => {
  const userId = `u-${i}`;
  const value = ((i * 7) % 11) / 10 + (isHeldOut(HOLDOUT, userId) ? 0 : 0.35);
  return { userId, value: Math.round(value * 100) / 100 };
});

// The split these observations give (checked below), as passed to SciPy.
const HELD = [0, 0.3, 0.6, 0.5, 0.4, 0.7, 0.6, 0.2, 0.1, 0.8, 0, 0.7, 0.3, 0.6];
const REST = [
  1.05, 1.35, 0.55, 1.25, 0.45, 1.15, 0.35, 0.65, 1.35, 1.25, 0.85, 0.75, 1.35, 0.95, 0.55, 1.25,
  0.85, 0.45, 1.15, 0.75, 0.35, 1.05, 0.65, 1.35, 0.55, 1.25,
];

describe('holdout readout (cumulative lift of shipped winners)', () => {
  it('matches scipy.stats.ttest_ind(REST, HELD, equal_var=False)', () => {
    // SciPy 1.17.1:
    //   r = scipy.stats.ttest_ind(REST, HELD, equal_var=False); ci = r.confidence_interval(0.95)
    //   r.statistic = 4.944704066759125, r.pvalue = 2.1602798417214156e-05,
    //   r.df = 33.06932473403925, ci = (0.288145172910836, 0.6909757062100432),
    //   mean(REST) - mean(HELD) = 0.4895604395604396
    const result = compareHoldout(OBSERVATIONS, HOLDOUT);
    expect(result.holdout.n).toBe(HELD.length);
    expect(result.rest.n).toBe(REST.length);
    const heldValues = OBSERVATIONS.filter((o) => isHeldOut(HOLDOUT, o.userId)).map((o) => o.value);
    expect(heldValues).toEqual(HELD);
    const welch = result.welch;
    expect(welch).not.toBeNull();
    expect(welch?.difference).toBeCloseTo(0.4895604395604396, 12);
    expect(welch?.t).toBeCloseTo(4.944704066759125, 10);
    expect(welch?.df).toBeCloseTo(33.06932473403925, 9);
    expect(welch?.pValue).toBeCloseTo(2.1602798417214156e-5, 10);
    expect(welch?.ci[0]).toBeCloseTo(0.288145172910836, 8);
    expect(welch?.ci[1]).toBeCloseTo(0.6909757062100432, 8);
    expect(result.relativeLift).toBeCloseTo(0.4895604395604396 / result.holdout.mean, 12);
  });

  it('reads every user’s factor values through the store, service role only', async () => {
    const stored: Holdout = { ...HOLDOUT, updatedAt: '2026-01-01T00:00:00.000Z' };
    const values: FactorValue[] = OBSERVATIONS.map((o) => ({
      userId: o.userId,
      path: 'checkout',
      factor: 'error_rate',
      value: o.value,
      asOf: '2026-01-01T00:00:00.000Z',
    }));
    const storeAs = (role: 'service' | 'user', holdout: Holdout | null) =>
      ({
        getIdentity: async () => ({ role, userId: role === 'user' ? 'u-1' : null }),
        getHoldout: async () => holdout,
        getFactors: async () => values,
      }) as unknown as FactoredStore;
    const readout = await holdoutReadout(storeAs('service', stored), {
      factor: 'error_rate',
      path: 'checkout',
    });
    expect(readout.welch?.t).toBeCloseTo(4.944704066759125, 10);
    expect(readout).toMatchObject({ factor: 'error_rate', path: 'checkout', alpha: 0.05 });
    expect(readout.holdoutDefinition).toEqual(stored);
    await expect(
      holdoutReadout(storeAs('user', stored), { factor: 'error_rate', path: 'checkout' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(
      holdoutReadout(storeAs('service', null), { factor: 'error_rate', path: 'checkout' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
