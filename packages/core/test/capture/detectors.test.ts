import {
  createRageClickDetector,
  createScrollReversalDetector,
  retryDelay,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

describe('rage-click detector', () => {
  const at = (path: string, x: number, t: number) => ({ path, x, y: 0, at: t });

  it('reports a burst of 3 once, when it ends, with its click count', () => {
    const rage = createRageClickDetector();
    expect(rage.click(at('a', 0, 0))).toBeNull();
    expect(rage.click(at('a', 10, 900))).toBeNull();
    expect(rage.click(at('a', 20, 1800))).toBeNull();
    expect(rage.click(at('a', 25, 2700))).toBeNull();
    expect(rage.deadline()).toBe(3700);
    expect(rage.end(3700)).toBeNull(); // still continuable
    expect(rage.end(3701)).toMatchObject({ path: 'a', clicks: 4, startedAt: 0, endedAt: 2700 });
    expect(rage.end()).toBeNull();
  });

  it('measures the gap and the distance from the previous click, not the first', () => {
    const rage = createRageClickDetector();
    rage.click(at('a', 0, 0));
    rage.click(at('a', 29, 1000));
    rage.click(at('a', 58, 2000)); // 58 px from the first, 29 px from the previous
    expect(rage.end()).toMatchObject({ clicks: 3 });
  });

  it('breaks a burst on another path, a far click or a slow click', () => {
    for (const breaker of [at('b', 0, 100), at('a', 31, 100), at('a', 0, 1101)]) {
      const rage = createRageClickDetector();
      rage.click(at('a', 0, 0));
      rage.click(at('a', 0, 100));
      expect(rage.click({ ...breaker, at: breaker.at + 100 })).toBeNull();
      rage.click(at('a', 0, 5000));
      expect(rage.end()).toBeNull();
    }
  });

  it('returns the finished burst from the click that ends it', () => {
    const rage = createRageClickDetector({ minClicks: 2, maxIntervalMs: 500, maxDistancePx: 5 });
    rage.click(at('a', 0, 0));
    rage.click(at('a', 5, 500));
    expect(rage.click(at('b', 0, 600))).toMatchObject({ path: 'a', clicks: 2 });
  });
});

describe('scroll-reversal detector', () => {
  it('reports a direction change within the window of the last movement', () => {
    const scroll = createScrollReversalDetector();
    expect(scroll.sample(0, 0)).toBeNull();
    expect(scroll.sample(100, 100)).toBeNull(); // down
    expect(scroll.sample(100, 200)).toBeNull(); // no movement
    expect(scroll.sample(50, 400)).toBe('up'); // 300 ms after the last movement
    expect(scroll.sample(80, 701)).toBeNull(); // 301 ms: a return, not a reversal
    expect(scroll.sample(40, 800)).toBe('up');
  });

  it('takes its window as an option', () => {
    const scroll = createScrollReversalDetector({ reversalWindowMs: 50 });
    scroll.sample(0, 0);
    scroll.sample(10, 10);
    expect(scroll.sample(0, 100)).toBeNull();
  });
});

describe('retry delay', () => {
  it('doubles its ceiling per attempt up to the maximum, drawing from the upper half', () => {
    expect(retryDelay(1, {}, () => 0)).toBe(500);
    expect(retryDelay(1, {}, () => 0.999999)).toBeCloseTo(1000, 2);
    expect(retryDelay(2, {}, () => 0)).toBe(1000);
    expect(retryDelay(4, { baseDelayMs: 100 }, () => 0.5)).toBe(600);
    expect(retryDelay(50, {}, () => 1)).toBe(60_000);
    expect(retryDelay(50, { maxDelayMs: 5000 }, () => 0)).toBe(2500);
  });

  it('spreads clients out: jittered delays of one attempt differ', () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelay(3)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});
