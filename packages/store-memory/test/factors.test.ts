import {
  computeClusters,
  computeFactors,
  type FactoredEvent,
  type NewSession,
  queryClusterMembers,
  queryComponentFactors,
  queryFactors,
  queryUserCluster,
} from '@factoredui/core';
import { FACTOR_FIXTURES, testUuid } from '@factoredui/core/testing';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const AS_OF = '2026-01-08T00:00:00.000Z';
const BASE = Date.parse('2026-01-05T10:00:00.000Z');

function service(): MemoryStore {
  return createMemoryStore({ database: createMemoryDatabase(), role: 'service' });
}

function session(user: number, n: number): NewSession {
  return {
    id: testUuid(0x5e55, user * 100 + n),
    userId: testUuid(0x75e4, user),
    startedAt: '2026-01-01T00:00:00.000Z',
    metadata: { platform: 'web' },
  };
}

describe('store-memory factors: batches and arrival order', () => {
  const arbitraryEvents = fc
    .array(
      fc.record({
        type: fc.constantFrom<FactoredEvent['type']>(
          'click',
          'submit',
          'scroll',
          'input',
          'impression',
          'navigation',
          'error',
          'rage_click',
          'custom',
        ),
        offset: fc.integer({ min: 0, max: 5000 }),
        user: fc.integer({ min: 1, max: 3 }),
        session: fc.integer({ min: 1, max: 2 }),
        path: fc.constantFrom('shop/a', 'shop/b/c'),
        complete: fc.boolean(),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((raw) =>
      raw.map(
        (r, i): FactoredEvent => ({
          id: testUuid(0xe7e7, i + 1),
          sessionId: session(r.user, r.session).id,
          userId: testUuid(0x75e4, r.user),
          type: r.type,
          path: r.path,
          payload: r.type === 'navigation' && r.complete ? { action: 'complete' } : {},
          createdAt: new Date(BASE + r.offset).toISOString(),
        }),
      ),
    );

  it('inserting the same events in any batches and order gives identical factors and snapshots', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryEvents,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        async (events, cuts, seed) => {
          const reference = computeFactors(events, { asOf: AS_OF });
          const order = fc.sample(fc.shuffledSubarray(events, { minLength: events.length }), {
            numRuns: 1,
            seed,
          })[0] as FactoredEvent[];
          const points = [...new Set(cuts.map((c) => c % (order.length + 1)))].sort(
            (a, b) => a - b,
          );
          const store = service();
          for (let user = 1; user <= 3; user += 1)
            for (let n = 1; n <= 2; n += 1) await store.startSession(session(user, n));
          let start = 0;
          for (const p of [...points, order.length]) {
            await store.insertEvents(order.slice(start, p));
            start = p;
          }
          // A retried batch must not change anything either.
          await store.insertEvents(order.slice(0, Math.ceil(order.length / 2)));
          await store.recomputeFactors({ asOf: AS_OF });
          expect(await store.getFactors()).toEqual(reference);
          await store.snapshotFactors({ asOf: AS_OF });
          for (let user = 1; user <= 3; user += 1) {
            const userId = testUuid(0x75e4, user);
            const history = await store.getFactorHistory({ userId, since: AS_OF });
            expect(history).toEqual(
              reference
                .filter((v) => v.userId === userId)
                .map((v) => ({ ...v, snapshotAt: AS_OF })),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('store-memory factors: persistence', () => {
  it('current values, snapshots and clusters survive a reload from storage', async () => {
    const storage = new Map<string, string>();
    const kv = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => {
        storage.set(k, v);
      },
      removeItem: (k: string) => {
        storage.delete(k);
      },
    };
    const fixture = FACTOR_FIXTURES.find((f) => f.name === 'several-users-and-paths');
    if (!fixture) throw new Error('fixture missing');
    const first = createMemoryStore({ storage: kv, role: 'service' });
    for (const s of fixture.sessions) await first.startSession(s);
    for (const batch of fixture.batches) await first.insertEvents(batch);
    await first.recomputeFactors({ asOf: AS_OF });
    await first.snapshotFactors({ asOf: AS_OF });
    await computeClusters(first, { k: 2, seed: 3 });
    await first.database.flush();

    const second = createMemoryStore({ storage: kv, role: 'service' });
    expect(await second.getFactors()).toEqual(await first.getFactors());
    expect(await second.getComponentAggregates()).toEqual(await first.getComponentAggregates());
    const userId = testUuid(0x75e4, 1);
    expect(await second.getFactorHistory({ userId, since: AS_OF })).toEqual(
      await first.getFactorHistory({ userId, since: AS_OF }),
    );
    expect(await second.getUserCluster(userId)).toEqual(await first.getUserCluster(userId));
  });
});

describe('store-memory factors: clusters end to end', () => {
  /** Twelve users: six who struggle (errors, rage clicks, slow) and six who breeze through. */
  async function population(): Promise<MemoryStore> {
    const store = service();
    let n = 0;
    for (let user = 1; user <= 12; user += 1) {
      const s = session(user, 1);
      await store.startSession(s);
      const struggling = user % 2 === 0;
      const event = (type: FactoredEvent['type'], offset: number): FactoredEvent => {
        n += 1;
        return {
          id: testUuid(0xe7e7, n),
          sessionId: s.id,
          userId: s.userId,
          type,
          path: 'shop/checkout/pay',
          payload: {},
          createdAt: new Date(BASE + user * 60_000 + offset).toISOString(),
        };
      };
      const events = [event('impression', 0)];
      if (struggling) {
        events.push(
          event('click', 4000 + user * 10),
          event('error', 4500),
          event('rage_click', 4600),
        );
        events.push(event('click', 5000), event('click', 5200));
      } else {
        events.push(event('click', 300 + user * 10), event('navigation', 800));
      }
      await store.insertEvents(events);
    }
    await store.recomputeFactors({ asOf: AS_OF });
    return store;
  }

  it('separates the two behaviours, stores one assignment per user, and is deterministic', async () => {
    const store = await population();
    const result = await computeClusters(store, { k: 2, seed: 11 });
    expect(result.k).toBe(2);
    expect(result.assignments).toHaveLength(12);
    expect(result.silhouette).toBeGreaterThan(0.5);
    const clusterOf = async (user: number) =>
      (await queryUserCluster(store, testUuid(0x75e4, user)))?.clusterId;
    const even = await Promise.all([2, 4, 6, 8, 10, 12].map(clusterOf));
    const odd = await Promise.all([1, 3, 5, 7, 9, 11].map(clusterOf));
    expect(new Set(even).size).toBe(1);
    expect(new Set(odd).size).toBe(1);
    expect(even[0]).not.toBe(odd[0]);
    // Clusters are numbered by their first member in user-id order: user 1 is in cluster 0.
    expect(odd[0]).toBe(0);
    const members = await queryClusterMembers(store, 1);
    expect(members.map((m) => m.userId)).toEqual(
      [2, 4, 6, 8, 10, 12].map((u) => testUuid(0x75e4, u)),
    );
    expect(members.every((m) => m.computedAt === AS_OF && m.distance >= 0)).toBe(true);
    const again = await computeClusters(store, { k: 2, seed: 11 });
    expect(again).toEqual(result);
  });

  it('chooses k by silhouette when k is omitted', async () => {
    const store = await population();
    const result = await computeClusters(store, { kRange: [2, 4] });
    expect(result.k).toBe(2);
  });

  it('refuses to cluster fewer users than k, and needs the service role', async () => {
    const store = await population();
    await expect(computeClusters(store, { k: 13 })).rejects.toMatchObject({
      code: 'insufficient_data',
    });
    const user = createMemoryStore({ database: store.database, userId: testUuid(0x75e4, 1) });
    await expect(computeClusters(user, { k: 1 })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('core queries read through the store', async () => {
    const store = await population();
    const mine = await queryFactors(store, testUuid(0x75e4, 2), 'shop/checkout/pay', {
      factors: ['rage_click_count', 'retry_count'],
    });
    expect(mine.map((v) => [v.factor, v.value])).toEqual([
      ['retry_count', 2],
      ['rage_click_count', 1],
    ]);
    const aggregates = await queryComponentFactors(store, 'shop/checkout/pay');
    expect(aggregates.find((a) => a.factor === 'error_rate')).toMatchObject({
      userCount: 12,
      min: 0,
      max: 1 / 6,
    });
  });
});
