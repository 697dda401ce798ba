import {
  computeFactors,
  createFactorEngine,
  createSeededRandom,
  FACTOR_NAMES,
  type FactoredEvent,
  type FactorValue,
  parseEventTime,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { generateRealisticEvents } from '../../../../scripts/bench/realistic-events.js';
import { referenceComputeFactors, referenceParseEventTime } from './engine-reference.js';

const END = '2026-01-08T00:00:00.000Z';
const { events } = generateRealisticEvents({ seed: 11, events: 80_000, users: 700, end: END });
const realistic = events as FactoredEvent[];

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createSeededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('the factor engine gives the results of the previous engine', () => {
  it('on the realistic generator, in arrival order and shuffled, for several windows', () => {
    for (const window of [
      { asOf: END },
      { asOf: '2026-01-05T12:00:00.000Z', windowMs: 2 * 86_400_000 },
      { asOf: '2026-01-07T15:00:00.000Z', windowMs: 6 * 3_600_000 },
    ]) {
      const expected = referenceComputeFactors(realistic, window);
      expect(expected.length).toBeGreaterThan(0);
      expect(computeFactors(realistic, window)).toEqual(expected);
      expect(computeFactors(shuffled(realistic, 3), window)).toEqual(expected);
    }
  });

  it('on one pair with many sessions interleaved (the array-to-map switch of session lookup)', () => {
    const random = createSeededRandom(12);
    const types = ['impression', 'click', 'navigation', 'scroll', 'submit', 'error'] as const;
    const many: FactoredEvent[] = Array.from({ length: 3_000 }, (_, i) => ({
      id: `e-${i}`,
      sessionId: `s-${Math.floor(random() * 40)}`,
      userId: 'heavy-user',
      type: types[Math.floor(random() * types.length)] as FactoredEvent['type'],
      path: 'shop/a',
      payload: { action: random() < 0.5 ? 'complete' : 'back', component_depth: 3 },
      createdAt: new Date(Date.parse(END) - Math.floor(random() * 86_400_000)).toISOString(),
    }));
    const expected = referenceComputeFactors(many, { asOf: END });
    expect(expected.length).toBeGreaterThan(5);
    expect(computeFactors(many, { asOf: END })).toEqual(expected);
    expect(computeFactors(shuffled(many, 4), { asOf: END })).toEqual(expected);
  });

  it('hesitation from the time log: interleaved sessions of one pair, shuffled, ties, added in two halves', () => {
    // Thousands of buffered times for a few groups of one pair (the log grows several times),
    // timestamps drawn from a small range so that equal times and unsorted groups abound, and a
    // group next to another in the log; the second half arrives after a first result.
    const random = createSeededRandom(5);
    const kinds: FactoredEvent['type'][] = ['impression', 'click', 'input', 'scroll', 'submit'];
    const many: FactoredEvent[] = Array.from({ length: 6_000 }, (_, i) => ({
      id: `e${i}`,
      sessionId: `s${Math.floor(random() * 4)}`,
      userId: i % 3 === 0 ? 'u-b' : 'u-a',
      type: kinds[Math.floor(random() * kinds.length)] as FactoredEvent['type'],
      path: i % 5 === 0 ? 'shop/b' : 'shop/a',
      payload: {},
      createdAt: new Date(Date.parse(END) - 1 - Math.floor(random() * 2_000)).toISOString(),
    }));
    const engine = createFactorEngine({ asOf: END });
    engine.addAll(many.slice(0, 3_000));
    expect(engine.result()).toEqual(referenceComputeFactors(many.slice(0, 3_000), { asOf: END }));
    engine.addAll(shuffled(many.slice(3_000), 8));
    const expected = referenceComputeFactors(many, { asOf: END });
    expect(expected.filter((v) => v.factor === 'hesitation_ms').length).toBe(4);
    expect(engine.result()).toEqual(expected);
    // Computing a result sorts copies, never the log: the same result again.
    expect(engine.result()).toEqual(expected);
  });

  it('streams (forEachValue) and columns (resultColumns) hold exactly result()', () => {
    const engine = createFactorEngine({ asOf: END });
    engine.addAll(realistic);
    const expected = engine.result();
    const streamed: FactorValue[] = [];
    const count = engine.forEachValue((userId, path, factor, value) => {
      streamed.push({ userId, path, factor, value, asOf: engine.window.asOf });
    });
    expect(count).toBe(expected.length);
    expect(streamed).toEqual(expected);
    const columns = engine.resultColumns();
    expect(columns.length).toBe(expected.length);
    expect(columns.userIds.length).toBe(engine.pairCount);
    const rebuilt = Array.from({ length: columns.length }, (_, i) => {
      const pair = columns.pair[i] as number;
      return {
        userId: columns.userIds[pair],
        path: columns.paths[pair],
        factor: FACTOR_NAMES[columns.factor[i] as number],
        value: columns.value[i],
        asOf: columns.asOf,
      };
    });
    expect(rebuilt).toEqual(expected);
    // Still incremental: more events after a result, then a new result.
    engine.add({ ...(realistic[0] as FactoredEvent), id: 'extra', type: 'error' });
    expect(engine.result()).toEqual(
      referenceComputeFactors(
        [...realistic, { ...(realistic[0] as FactoredEvent), id: 'extra', type: 'error' }],
        { asOf: END },
      ),
    );
  });

  it('parses event times like Date.parse, over 400 years of canonical timestamps and bad digits', () => {
    const random = createSeededRandom(99);
    const from = Date.parse('1800-01-01T00:00:00.000Z');
    const to = Date.parse('2300-01-01T00:00:00.000Z');
    for (let i = 0; i < 50_000; i++) {
      const text = new Date(from + Math.floor(random() * (to - from))).toISOString();
      expect(parseEventTime(text)).toBe(Date.parse(text));
      expect(parseEventTime(text)).toBe(referenceParseEventTime(text));
    }
    for (const text of [
      '2024-02-29T23:59:59.999Z',
      '2000-02-28T00:00:00.000Z',
      '1900-03-01T00:00:00.000Z',
      '2026-0a-01T00:00:00.000Z',
      '2026-01-01T00:00:0/.000Z',
      '2026-01-01T00:00:00.00:Z',
      '0999-01-01T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-31T00:00:00.000Z',
    ]) {
      expect(Object.is(parseEventTime(text), referenceParseEventTime(text)), text).toBe(true);
    }
  });
});
