import {
  computeFactors,
  createFactorEngine,
  DEFAULT_FACTOR_WINDOW_MS,
  FACTOR_NAMES,
  FactoredError,
  type FactoredEvent,
  type FactorValue,
  resolveFactorWindow,
} from '@factoredui/core';
import { FACTOR_FIXTURES, testUuid } from '@factoredui/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const AS_OF = '2026-01-08T00:00:00.000Z';
const AS_OF_MS = Date.parse(AS_OF);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FactoredError ? error.code : 'not a FactoredError';
  }
  return undefined;
}

describe('reference engine replays every shared fixture', () => {
  for (const fixture of FACTOR_FIXTURES) {
    it(fixture.name, () => {
      const events = fixture.batches.flat();
      for (const checkpoint of fixture.checkpoints) {
        const values = computeFactors(events, {
          asOf: checkpoint.asOf,
          ...(checkpoint.windowMs === undefined ? {} : { windowMs: checkpoint.windowMs }),
        });
        const expected = checkpoint.factors.flatMap((pair) =>
          FACTOR_NAMES.filter((f) => pair.values[f] !== null).map((factor) => ({
            key: `${pair.userId} ${pair.path} ${factor}`,
            value: pair.values[factor] as number,
          })),
        );
        const actual = new Map(values.map((v) => [`${v.userId} ${v.path} ${v.factor}`, v.value]));
        expect([...actual.keys()].sort()).toEqual(expected.map((e) => e.key).sort());
        for (const e of expected) expect(actual.get(e.key)).toBeCloseTo(e.value, 9);
      }
    });
  }
});

describe('window', () => {
  it('defaults to 7 days and normalizes asOf', () => {
    expect(resolveFactorWindow({ asOf: '2026-01-08T01:00:00+01:00' })).toEqual({
      asOf: AS_OF,
      asOfMs: AS_OF_MS,
      windowMs: DEFAULT_FACTOR_WINDOW_MS,
    });
    expect(DEFAULT_FACTOR_WINDOW_MS).toBe(604_800_000);
  });

  it('rejects an asOf that is not a date and a non-positive window with invalid_input', () => {
    for (const asOf of ['yesterday', '', '2026-02-30Tnope', 'Jan 8 2026'])
      expect(codeOf(() => createFactorEngine({ asOf }))).toBe('invalid_input');
    expect(codeOf(() => createFactorEngine({ asOf: 42 as unknown as string }))).toBe(
      'invalid_input',
    );
    for (const windowMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(codeOf(() => createFactorEngine({ asOf: AS_OF, windowMs }))).toBe('invalid_input');
  });

  it('rejects an event whose createdAt is not a time', () => {
    const engine = createFactorEngine({ asOf: AS_OF });
    const bad = { ...makeEvent(0, 'click', 0), createdAt: 'then' };
    expect(codeOf(() => engine.add(bad))).toBe('invalid_input');
  });
});

describe('engine behaviour', () => {
  it('counts events seen and in window, and never sees events after asOf', () => {
    const engine = createFactorEngine({ asOf: AS_OF });
    engine.addAll([
      makeEvent(1, 'click', -1000),
      makeEvent(2, 'error', 1), // after asOf
      makeEvent(3, 'click', -DEFAULT_FACTOR_WINDOW_MS), // on the lower edge
    ]);
    expect(engine.eventsSeen).toBe(3);
    expect(engine.eventsInWindow).toBe(1);
    expect(engine.pairCount).toBe(1);
    const errorRate = engine.result().find((v) => v.factor === 'error_rate');
    expect(errorRate?.value).toBe(0);
  });

  it('result() can be called again after more events', () => {
    const engine = createFactorEngine({ asOf: AS_OF });
    engine.add(makeEvent(1, 'click', -1000));
    expect(engine.result().find((v) => v.factor === 'error_rate')?.value).toBe(0);
    engine.add(makeEvent(2, 'error', -500));
    expect(engine.result().find((v) => v.factor === 'error_rate')?.value).toBe(0.5);
  });

  it('returns rows sorted by user, path, then catalog order, with the window end as asOf', () => {
    const values = computeFactors(
      [makeEvent(1, 'click', -10, 'b/x', 2), makeEvent(2, 'impression', -20, 'a/x', 1)],
      { asOf: AS_OF },
    );
    const keys = values.map((v) => `${v.userId} ${v.path} ${FACTOR_NAMES.indexOf(v.factor) + 10}`);
    const sorted = [...keys].sort();
    expect(keys).toEqual(sorted);
    expect(values.every((v) => v.asOf === AS_OF)).toBe(true);
  });
});

// ---------------------------------------------------------------- property test

const TYPES: FactoredEvent['type'][] = [
  'click',
  'rage_click',
  'dead_click',
  'scroll',
  'scroll_reversal',
  'input',
  'focus',
  'submit',
  'error',
  'navigation',
  'impression',
  'custom',
];
const PATHS = ['a/b', 'a/c', 'shop/checkout/pay/submit'];

function makeEvent(
  n: number,
  type: FactoredEvent['type'],
  offsetMs: number,
  path = 'a/b',
  user = 1,
  session = 1,
  payload: FactoredEvent['payload'] = {},
): FactoredEvent {
  return {
    id: testUuid(0xe1, n),
    sessionId: testUuid(0x5e, user * 10 + session),
    userId: testUuid(0x75, user),
    type,
    path,
    payload,
    createdAt: new Date(AS_OF_MS + offsetMs).toISOString(),
  };
}

const eventArbitrary = fc.record({
  type: fc.constantFrom(...TYPES),
  // Small time range so ties, window edges and after-asOf events all occur.
  offset: fc.oneof(
    fc.integer({ min: -2000, max: 50 }),
    fc.constantFrom(0, -DEFAULT_FACTOR_WINDOW_MS, -DEFAULT_FACTOR_WINDOW_MS + 1, 1),
  ),
  path: fc.constantFrom(...PATHS),
  user: fc.integer({ min: 1, max: 3 }),
  session: fc.integer({ min: 1, max: 3 }),
  complete: fc.boolean(),
  depth: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
});

const eventsArbitrary = fc.array(eventArbitrary, { maxLength: 120 }).map((raw) =>
  raw.map((r, i) => {
    const payload: FactoredEvent['payload'] = {};
    if (r.type === 'navigation' && r.complete) payload.action = 'complete';
    if (r.type === 'impression' && r.depth !== undefined) payload.component_depth = r.depth;
    return makeEvent(i + 1, r.type, r.offset, r.path, r.user, r.session, payload);
  }),
);

/** Splits `events` into batches at the given cut points. */
function split<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let start = 0;
  for (const p of [...points, items.length]) {
    out.push(items.slice(start, p));
    start = p;
  }
  return out;
}

const byTime = (a: FactoredEvent, b: FactoredEvent) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;

describe('property: input order and batching never change the factors', () => {
  it('any permutation, split into any batches, gives identical values', () => {
    fc.assert(
      fc.property(
        eventsArbitrary,
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 6 }),
        fc.integer(),
        (events, cuts, seed) => {
          const reference = computeFactors([...events].sort(byTime), { asOf: AS_OF });
          const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length }), {
            numRuns: 1,
            seed,
          })[0] as FactoredEvent[];
          const engine = createFactorEngine({ asOf: AS_OF });
          for (const batch of split(shuffled, cuts)) engine.addAll(batch);
          const result: FactorValue[] = engine.result();
          expect(result).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('values are finite, rates within [0, 1], counts non-negative integers', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        for (const v of computeFactors(events, { asOf: AS_OF })) {
          expect(Number.isFinite(v.value)).toBe(true);
          if (v.factor.endsWith('_rate')) expect(v.value >= 0 && v.value <= 1).toBe(true);
          if (v.factor.endsWith('_count') && v.factor !== 'sibling_count')
            expect(Number.isInteger(v.value) && v.value >= 0).toBe(true);
          if (v.factor === 'hesitation_ms') expect(v.value).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseEventTime', () => {
  it('agrees with Date.parse on canonical, offset and malformed times', async () => {
    const { parseEventTime } = await import('@factoredui/core');
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseEventTime(text)).toBe(Date.parse(text));
      }),
      { numRuns: 2000 },
    );
    for (const text of [
      '2026-01-08T01:00:00+01:00',
      '2026-01-31T23:59:59.999Z',
      '2026-02-30T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-0xT00:00:00.000Z',
      '2026-01-08T24:00:00.000Z',
      '2026-01-08T00:00:00.123456Z',
      'not a time at all',
    ])
      expect(Object.is(parseEventTime(text), Date.parse(text)), text).toBe(true);
  });
});
