import {
  componentFactorsQuery,
  createQueryCache,
  experimentResultsQuery,
  FactoredError,
  type FactoredStore,
  factorsQuery,
  governanceLogQuery,
  hashQueryKey,
  isFactoredError,
  type QueryKey,
  type QuerySnapshot,
  type StoreChange,
  type StoreIdentity,
  type StoreQuery,
  type StoreTopic,
} from '@factoredui/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A promise settled from the outside, so tests control when a request finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after pending microtasks and promise callbacks have run. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The smallest store the cache needs: an identity and a realtime `subscribe` whose active
 * subscriptions are counted. Reads are supplied per test as query functions.
 */
interface FakeStore extends FactoredStore {
  emit(topic: StoreTopic, key?: string): void;
  active(): number;
  subscribeCalls(): number;
}

function fakeStore(identity: StoreIdentity = { role: 'service', userId: null }): FakeStore {
  const listeners = new Map<StoreTopic, Set<(change: StoreChange) => void>>();
  let active = 0;
  let calls = 0;
  const store: Partial<FakeStore> = {
    getIdentity: async () => identity,
    subscribe(topic, listener) {
      calls += 1;
      active += 1;
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => {
        if (set.delete(listener)) active -= 1;
      };
    },
    // Like a real store: listeners hear about a change after the write commits.
    emit(topic, key) {
      const change: StoreChange = key === undefined ? { topic } : { topic, key };
      for (const listener of listeners.get(topic) ?? []) queueMicrotask(() => listener(change));
    },
    active: () => active,
    subscribeCalls: () => calls,
  };
  return store as FakeStore;
}

function query<T>(key: StoreQuery<T>['key'], fetch: () => Promise<T>, topics?: StoreTopic[]) {
  return { key, fetch, ...(topics ? { topics } : {}) } satisfies StoreQuery<T>;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('query keys', () => {
  it('hash equal keys equally whatever the object key order', () => {
    expect(hashQueryKey(['a', { x: 1, y: [2, 3] }])).toBe(hashQueryKey(['a', { y: [2, 3], x: 1 }]));
    expect(hashQueryKey(['a', 1])).not.toBe(hashQueryKey(['a', '1']));
  });

  it('rejects keys that are not plain JSON', () => {
    const bad = [new Date()] as unknown as StoreQuery<unknown>['key'];
    expect(() => hashQueryKey(bad)).toThrow(FactoredError);
  });
});

describe('createQueryCache', () => {
  it('reuses one request for equal keys (no request storms)', async () => {
    const store = fakeStore();
    const cache = createQueryCache(store);
    const pending = deferred<number[]>();
    const fetch = vi.fn(() => pending.promise);
    const a = cache.observe(query(['list', { b: 2, a: 1 }], fetch));
    const b = cache.observe(query(['list', { a: 1, b: 2 }], fetch));
    expect(a).toBe(b);
    const stopA = a.subscribe(() => {});
    const stopB = b.subscribe(() => {});
    const direct = [cache.fetch(query(['list', { a: 1, b: 2 }], fetch)), a.refetch()];
    pending.resolve([1, 2]);
    await Promise.all(direct);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(a.getSnapshot().data).toEqual([1, 2]);
    stopA();
    stopB();
  });

  it('returns a stable snapshot object until the state changes', async () => {
    const cache = createQueryCache(fakeStore());
    const pending = deferred<string>();
    const observer = cache.observe(query(['stable'], () => pending.promise));
    const first = observer.getSnapshot();
    expect(first).toMatchObject({ data: undefined, error: null, isLoading: true });
    expect(observer.getSnapshot()).toBe(first);
    const seen: QuerySnapshot<string>[] = [];
    const stop = observer.subscribe(() => seen.push(observer.getSnapshot()));
    const fetching = observer.getSnapshot();
    expect(fetching.isFetching).toBe(true);
    expect(observer.getSnapshot()).toBe(fetching);
    pending.resolve('done');
    await tick();
    const done = observer.getSnapshot();
    expect(done).toMatchObject({ data: 'done', error: null, isLoading: false, isFetching: false });
    expect(done.updatedAt).toBeGreaterThan(0);
    expect(observer.getSnapshot()).toBe(done);
    expect(seen.at(-1)).toBe(done);
    expect(Object.isFrozen(done)).toBe(true);
    stop();
  });

  it('surfaces errors in the snapshot and keeps the last good data', async () => {
    const cache = createQueryCache(fakeStore());
    let fail = false;
    const observer = cache.observe(
      query(['flaky'], async () => {
        if (fail) throw new FactoredError('unavailable', 'backend down');
        return { value: 1 };
      }),
    );
    const stop = observer.subscribe(() => {});
    await tick();
    expect(observer.getSnapshot()).toMatchObject({ data: { value: 1 }, error: null });
    fail = true;
    const after = await observer.refetch();
    expect(isFactoredError(after.error, 'unavailable')).toBe(true);
    expect(after.data).toEqual({ value: 1 });
    expect(after.isLoading).toBe(false);
    const stillDown = query(['flaky'], async () => {
      throw new FactoredError('unavailable', 'still down');
    });
    await expect(cache.fetch(stillDown)).rejects.toThrow('still down');
    stop();
  });

  it('wraps a thrown non-Error so it is never lost', async () => {
    const cache = createQueryCache(fakeStore());
    const observer = cache.observe(query(['weird'], () => Promise.reject('nope')));
    const stop = observer.subscribe(() => {});
    await tick();
    const { error } = observer.getSnapshot();
    expect(isFactoredError(error, 'internal')).toBe(true);
    expect((error as FactoredError).cause).toBe('nope');
    stop();
  });

  it('refetches observed queries when the store publishes on their topics', async () => {
    const store = fakeStore();
    const cache = createQueryCache(store);
    let version = 0;
    const observer = cache.observe(query(['live'], async () => ++version, ['governance']));
    const stop = observer.subscribe(() => {});
    await tick();
    expect(observer.getSnapshot().data).toBe(1);
    store.emit('governance', 'exp-1');
    await tick();
    expect(observer.getSnapshot().data).toBe(2);
    store.emit('factors');
    await tick();
    expect(observer.getSnapshot().data).toBe(2);
    stop();
  });

  it('coalesces a burst of changes into one follow-up request', async () => {
    const store = fakeStore();
    const cache = createQueryCache(store);
    const gates: ReturnType<typeof deferred<number>>[] = [];
    const fetch = vi.fn(() => {
      const gate = deferred<number>();
      gates.push(gate);
      return gate.promise;
    });
    const observer = cache.observe(query(['burst'], fetch, ['events']));
    const stop = observer.subscribe(() => {});
    for (let i = 0; i < 50; i += 1) store.emit('events');
    await tick();
    expect(fetch).toHaveBeenCalledTimes(1);
    gates[0]!.resolve(1);
    await tick();
    // The changes that arrived meanwhile are not lost: exactly one more request.
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(observer.getSnapshot()).toMatchObject({ data: 1, isFetching: true });
    gates[1]!.resolve(2);
    await tick();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(observer.getSnapshot()).toMatchObject({ data: 2, isFetching: false });
    stop();
  });

  it('narrows invalidation with isAffectedBy', async () => {
    const listGovernanceLog = vi.fn(async () => []);
    const store = Object.assign(fakeStore(), { listGovernanceLog });
    const observer = createQueryCache(store).observe(governanceLogQuery({ experimentId: 'exp-a' }));
    const stop = observer.subscribe(() => {});
    await tick();
    store.emit('governance', 'exp-b');
    await tick();
    expect(listGovernanceLog).toHaveBeenCalledTimes(1);
    store.emit('governance', 'exp-a');
    await tick();
    expect(listGovernanceLog).toHaveBeenCalledTimes(2);
    expect(listGovernanceLog).toHaveBeenLastCalledWith({ experimentId: 'exp-a' });
    stop();
  });

  it('shares one store subscription per topic and drops it with the last listener', async () => {
    const store = fakeStore();
    const cache = createQueryCache(store);
    const one = cache.observe(query(['one'], async () => 1, ['governance', 'factors']));
    const two = cache.observe(query(['two'], async () => 2, ['governance']));
    const stops = [one.subscribe(() => {}), one.subscribe(() => {}), two.subscribe(() => {})];
    expect(store.subscribeCalls()).toBe(2);
    expect(store.active()).toBe(2);
    stops[0]!();
    stops[2]!();
    expect(store.active()).toBe(2);
    stops[1]!();
    stops[1]!(); // idempotent
    expect(store.active()).toBe(0);
    await tick();
  });

  it('keeps data for a remount, refetching in the background', async () => {
    const cache = createQueryCache(fakeStore());
    let n = 0;
    const q = query(['remount'], async () => ({ n: ++n }));
    const observer = cache.observe(q);
    const stop = observer.subscribe(() => {});
    await tick();
    stop();
    const again = cache.observe(q);
    expect(again).toBe(observer);
    const stopAgain = again.subscribe(() => {});
    expect(again.getSnapshot()).toMatchObject({
      data: { n: 1 },
      isLoading: false,
      isFetching: true,
    });
    await tick();
    expect(again.getSnapshot().data).toEqual({ n: 2 });
    stopAgain();
  });

  it('keeps the same data reference when a refetch returns equal data', async () => {
    const cache = createQueryCache(fakeStore());
    let calls = 0;
    const observer = cache.observe(
      query(['shared'], async () => {
        calls += 1;
        return { rows: [{ id: 1 }, { id: calls > 2 ? 3 : 2 }] };
      }),
    );
    const stop = observer.subscribe(() => {});
    await tick();
    const first = observer.getSnapshot().data!;
    const second = (await observer.refetch()).data!;
    expect(second).toBe(first);
    const third = (await observer.refetch()).data!;
    expect(third).not.toBe(first);
    expect(third.rows[0]).toBe(first.rows[0]);
    expect(third.rows[1]).toEqual({ id: 3 });
    stop();
  });

  it('forgets unobserved entries after gcTimeMs', async () => {
    vi.useFakeTimers();
    const cache = createQueryCache(fakeStore(), { gcTimeMs: 1000 });
    const q = query(['gc'], async () => 'x');
    const observer = cache.observe(q);
    const stop = observer.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(0);
    stop();
    await vi.advanceTimersByTimeAsync(999);
    expect(cache.observe(q)).toBe(observer);
    await vi.advanceTimersByTimeAsync(1000);
    const fresh = cache.observe(q);
    expect(fresh).not.toBe(observer);
    expect(fresh.getSnapshot().isLoading).toBe(true);
  });

  it('dehydrates on the server and hydrates on the client without a loading state', async () => {
    const server = createQueryCache(fakeStore());
    const fetch = vi.fn(async () => [{ id: 'a' }]);
    await server.fetch(query(['ssr', 'a'], fetch));
    const state = JSON.parse(JSON.stringify(server.dehydrate()));
    const client = createQueryCache(fakeStore());
    client.hydrate(state);
    const snapshot = client.observe(query(['ssr', 'a'], fetch)).getSnapshot();
    expect(snapshot).toMatchObject({ data: [{ id: 'a' }], isLoading: false, error: null });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('invalidates by topic or key predicate', async () => {
    const cache = createQueryCache(fakeStore());
    let a = 0;
    let b = 0;
    const qa = cache.observe(query(['a'], async () => ++a, ['factors']));
    const qb = cache.observe(query(['b'], async () => ++b, ['governance']));
    const stops = [qa.subscribe(() => {}), qb.subscribe(() => {})];
    await tick();
    cache.invalidate('factors');
    await tick();
    expect([a, b]).toEqual([2, 1]);
    cache.invalidate((key: QueryKey) => key[0] === 'b');
    await tick();
    expect([a, b]).toEqual([2, 2]);
    cache.invalidate();
    await tick();
    expect([a, b]).toEqual([3, 3]);
    for (const stop of stops) stop();
  });
});

describe('store queries', () => {
  it('read the store user by default and need a userId for service stores', async () => {
    const getFactors = vi.fn(async () => []);
    const user = Object.assign(fakeStore({ role: 'user', userId: 'user-1' }), { getFactors });
    await createQueryCache(user).fetch(factorsQuery({ path: 'checkout' }));
    expect(getFactors).toHaveBeenCalledWith({ userId: 'user-1', path: 'checkout' });

    const service = fakeStore();
    await expect(createQueryCache(service).fetch(factorsQuery())).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('build plain JSON keys from inputs with optional members', async () => {
    const query = experimentResultsQuery('exp-1', {
      factors: [{ factor: 'error_rate', path: undefined }, 'completion_rate'],
      at: new Date('2026-01-01T00:00:00Z'),
    });
    expect(hashQueryKey(query.key)).toContain('2026-01-01T00:00:00.000Z');
    expect(query.topics).toContain('governance');
    const getComponentAggregates = vi.fn(async () => []);
    const store = Object.assign(fakeStore(), { getComponentAggregates });
    await createQueryCache(store).fetch(componentFactorsQuery({ factors: ['error_rate'] }));
    expect(getComponentAggregates).toHaveBeenCalledWith({ factors: ['error_rate'] });
    expect(hashQueryKey(factorsQuery({ factors: ['error_rate', 'completion_rate'] }).key)).toBe(
      hashQueryKey(factorsQuery({ factors: ['completion_rate', 'error_rate'] }).key),
    );
  });
});
