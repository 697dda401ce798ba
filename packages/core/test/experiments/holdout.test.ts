import {
  decideAssignment,
  decideFlag,
  type Experiment,
  FactoredError,
  holdoutBucket,
  isHeldOut,
  murmur3_32,
  validateHoldout,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const AT = '2026-01-01T00:00:00.000Z';

function experiment(status: Experiment['status']): Experiment {
  return {
    id: `e-${status}`,
    name: `e-${status}`,
    description: '',
    path: 'shop/a',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
    coverage: 1,
    targeting: [],
    platforms: [],
    seed: 'e',
    status,
    winner: status === 'concluded' ? 'treatment' : null,
    createdAt: AT,
    startedAt: AT,
    endedAt: null,
  };
}

const HOLDOUT = { share: 0.1, seed: 'holdout' };

describe('holdout', () => {
  it('the holdout bucket is murmur3_32(seed + U+001F + userId, 3) mod 10000', () => {
    for (const userId of ['u-1', 'ü-2', '']) {
      expect(holdoutBucket('holdout', userId)).toBe(
        murmur3_32(`holdout\u001f${userId}`, 3) % 10_000,
      );
    }
  });

  it('holds out the configured share of 100,000 users (within 0.5 pp); raising it only adds users', () => {
    let held = 0;
    let moved = 0;
    for (let i = 0; i < 100_000; i++) {
      const userId = `user-${i}`;
      const out = isHeldOut(HOLDOUT, userId);
      if (out) held += 1;
      if (out && !isHeldOut({ ...HOLDOUT, share: 0.2 }, userId)) moved += 1;
    }
    expect(Math.abs(held / 100_000 - 0.1)).toBeLessThan(0.005);
    expect(moved).toBe(0);
    expect(isHeldOut({ share: 0, seed: 'holdout' }, 'anyone')).toBe(false);
    expect(isHeldOut(null, 'anyone')).toBe(false);
  });

  it('held-out users get defaults (cause holdout) in running and concluded experiments; an assignment wins', () => {
    const out = Array.from({ length: 200 }, (_, i) => `h-${i}`).find((u) =>
      isHeldOut(HOLDOUT, u),
    ) as string;
    const inside = Array.from({ length: 200 }, (_, i) => `h-${i}`).find(
      (u) => !isHeldOut(HOLDOUT, u),
    ) as string;
    const running = experiment('running');
    const concluded = experiment('concluded');
    expect(decideFlag(running, { userId: out, holdout: HOLDOUT })).toMatchObject({
      inExperiment: false,
      variantKey: null,
      cause: 'holdout',
    });
    expect(decideAssignment(running, out, [], HOLDOUT)).toEqual({
      variant: null,
      cause: 'holdout',
    });
    expect(decideFlag(concluded, { userId: out, holdout: HOLDOUT })).toMatchObject({
      variantKey: null,
      reason: 'DEFAULT',
      cause: 'holdout',
    });
    expect(decideFlag(concluded, { userId: inside, holdout: HOLDOUT })).toMatchObject({
      variantKey: 'treatment',
      reason: 'STATIC',
    });
    expect(decideFlag(running, { userId: inside, holdout: HOLDOUT }).inExperiment).toBe(true);
    // Sticky: a user assigned before the holdout grew over them keeps the variant.
    const sticky = decideFlag(running, {
      userId: out,
      holdout: HOLDOUT,
      assignment: { userId: out, experimentId: running.id, variantKey: 'control', assignedAt: AT },
    });
    expect(sticky).toMatchObject({ inExperiment: true, variantKey: 'control' });
  });

  it('validates share in [0, 0.5] (1/10,000 steps) and the seed', () => {
    expect(validateHoldout({ share: 0.05 })).toEqual({ share: 0.05, seed: 'holdout' });
    expect(validateHoldout({ share: 0, seed: 'q1' })).toEqual({ share: 0, seed: 'q1' });
    for (const input of [
      { share: -0.01 },
      { share: 0.51 },
      { share: 0.00001 },
      { share: Number.NaN },
      { share: '0.1' as unknown as number },
      { share: 0.1, seed: '' },
      { share: 0.1, seed: 'a\u001fb' },
    ]) {
      expect(() => validateHoldout(input), JSON.stringify(input)).toThrow(FactoredError);
    }
  });
});
