import {
  type Assignment,
  createFlagClient,
  createSeededRandom,
  createStaticFlagClient,
  type Experiment,
  evaluateFlags,
  FactoredError,
  type FactoredStore,
  type FactorValue,
  type SerializedFlagState,
} from '@factoredui/core';
import { describe, expect, it } from 'vitest';

const USER = 'u-1';
const PATHS = ['shop/a', 'shop/b'];
const SAVED_AT = '2026-01-01T00:00:00.000Z';

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A random state: experiments on two paths, some assignments (stored), some factors. */
function randomState(random: () => number, n: number): SerializedFlagState {
  const experiments: Experiment[] = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => {
    const status = pick(random, ['running', 'running', 'running', 'concluded', 'stopped'] as const);
    const targeting =
      random() < 0.4
        ? [
            random() < 0.5
              ? { kind: 'factor', factor: 'error_rate', operator: 'lt', value: 0.5 }
              : { kind: 'metadata', field: 'app_version', operator: 'gte', value: '2.0' },
          ]
        : [];
    return {
      id: `e-${n}-${i}`,
      name: `flag-${i}`,
      description: '',
      path: pick(random, PATHS),
      variants: [
        { key: 'control', weight: 50, config: { v: 0 } },
        { key: 'treatment', weight: 50, config: { v: 1 } },
      ],
      coverage: pick(random, [1, 0.5, 0.1]),
      targeting,
      platforms: random() < 0.2 ? ['ios'] : [],
      seed: `seed-${n}-${i}`,
      status,
      winner: status === 'concluded' ? 'treatment' : null,
      createdAt: SAVED_AT,
      startedAt: SAVED_AT,
      endedAt: null,
    } as Experiment;
  });
  const assignments: Assignment[] = experiments
    .filter(() => random() < 0.25)
    .map((e) => ({
      userId: random() < 0.9 ? USER : 'someone-else',
      experimentId: e.id,
      variantKey: pick(random, ['control', 'treatment', 'gone']),
      assignedAt: SAVED_AT,
    }));
  const factors: FactorValue[] = PATHS.filter(() => random() < 0.6).map((path) => ({
    userId: random() < 0.9 ? USER : 'someone-else',
    path,
    factor: 'error_rate',
    value: pick(random, [0.1, 0.9]),
    asOf: SAVED_AT,
  }));
  return { v: 1, userId: USER, savedAt: SAVED_AT, experiments, assignments, factors };
}

/** A store the live client may call in the background (it records what bucketing predicted). */
const quietStore = new Proxy({} as FactoredStore, {
  get(_, name) {
    if (name === 'subscribe') return undefined;
    if (name === 'recordAssignment') return async (a: Assignment) => a;
    if (name === 'getIdentity') return async () => ({ role: 'user', userId: USER });
    return async () => [];
  },
});

describe('evaluateFlags (stateless server evaluation)', () => {
  it('decides exactly like the live and the static client, flag by flag in the same order', () => {
    const random = createSeededRandom(2026);
    for (let n = 0; n < 500; n++) {
      const state = randomState(random, n);
      const names = state.experiments.map((e) => e.name);
      const order = [...names, 'unknown-flag'].sort(() => random() - 0.5);
      const context =
        random() < 0.5 ? { platform: 'web' as const, metadata: { app_version: '2.4' } } : {};
      const live = createFlagClient({
        store: quietStore,
        userId: USER,
        bootstrap: state,
        ttlMs: 0,
        ...context,
      });
      const expected = Object.fromEntries(order.map((flag) => [flag, live.evaluate(flag)]));
      live.destroy();
      expect(evaluateFlags(state, { flags: order, ...context })).toEqual(expected);
      const staticClient = createStaticFlagClient({
        store: quietStore,
        bootstrap: state,
        ...context,
      });
      expect(Object.fromEntries(order.map((flag) => [flag, staticClient.evaluate(flag)]))).toEqual(
        expected,
      );
    }
  });

  it('evaluates every flag of the state by default, and a flag named __proto__ like any other', () => {
    const state = randomState(createSeededRandom(1), 0);
    const all = evaluateFlags(state);
    expect(Object.keys(all)).toEqual(state.experiments.map((e) => e.name));
    const odd = evaluateFlags(state, { flags: ['__proto__'] });
    expect(Object.keys(odd)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value).toMatchObject({
      flag: '__proto__',
      cause: 'unknown_flag',
    });
  });

  it('keeps no state between calls and never writes into the state it is given', () => {
    const state = randomState(createSeededRandom(5), 0);
    const frozen = structuredClone(state);
    const first = evaluateFlags(state);
    expect(evaluateFlags(state)).toEqual(first);
    expect(state).toEqual(frozen);
  });

  it('refuses something that is not a flag state with invalid_input', () => {
    for (const bad of [null, {}, { userId: 'u', experiments: [] }, 'state']) {
      expect(() => evaluateFlags(bad as never)).toThrowError(FactoredError);
      expect(() => evaluateFlags(bad as never)).toThrowError(/loadFlagState/);
    }
  });
});
