import { FactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import type { StoreChange, StoreTopic } from '../store/realtime.js';
import { canonicalizeJson, isJsonValue } from '../util/json.js';
import { replaceEqualDeep } from './share.js';
import type {
  DehydratedQueries,
  QueryCache,
  QueryCacheOptions,
  QueryKey,
  QueryObserver,
  QuerySnapshot,
  StoreQuery,
} from './types.js';

const DEFAULT_GC_TIME_MS = 5 * 60 * 1000;

/** The canonical (RFC 8785) JSON of a query key: equal keys hash equally whatever their key order. */
export function hashQueryKey(key: QueryKey): string {
  if (!Array.isArray(key) || !isJsonValue(key)) {
    throw new FactoredError(
      'invalid_input',
      `A query key must be an array of plain JSON values, got ${String(key)}.`,
    );
  }
  return canonicalizeJson(key);
}

/** Keeps `Error` instances as they are; wraps anything else thrown so it is never lost. */
function toError(thrown: unknown, hash: string): Error {
  if (thrown instanceof Error) return thrown;
  return new FactoredError(
    'internal',
    `The query ${hash} failed with a non-Error value (${String(thrown)}); throw an Error instead.`,
    { cause: thrown },
  );
}

const PENDING: QuerySnapshot<never> = Object.freeze({
  data: undefined,
  error: null,
  isLoading: true,
  isFetching: false,
  updatedAt: 0,
});

interface Entry<T> extends QueryObserver<T> {
  query: StoreQuery<T>;
  readonly key: QueryKey;
  invalidate(): void;
  setData(data: T, updatedAt: number): void;
  fetchData(): Promise<T>;
  hasListeners(): boolean;
  /** Forgets listeners and cancels the garbage-collection timer (cache destroyed). */
  dispose(): void;
}

/**
 * Creates the query cache of `store`: keyed reads with deduplication of requests in flight
 * (equal keys reuse one request), stable snapshots for `useSyncExternalStore`, live
 * invalidation through `store.subscribe` while a query is observed, and ref-counted cleanup.
 *
 * @example
 * ```ts
 * const cache = createQueryCache(store);
 * const observer = cache.observe(governanceLogQuery({ experimentId }));
 * const stop = observer.subscribe(() => render(observer.getSnapshot()));
 * ```
 */
export function createQueryCache(
  store: FactoredStore,
  options: QueryCacheOptions = {},
): QueryCache {
  const gcTimeMs = options.gcTimeMs ?? DEFAULT_GC_TIME_MS;
  const entries = new Map<string, Entry<unknown>>();
  // One store subscription per topic, shared by every observed entry that listens to it.
  const topics = new Map<StoreTopic, { entries: Set<Entry<unknown>>; unsubscribe: () => void }>();
  let destroyed = false;

  const onChange = (topic: StoreTopic, change: StoreChange) => {
    const watched = topics.get(topic);
    if (!watched) return;
    for (const entry of [...watched.entries]) {
      if (entry.query.isAffectedBy?.(change) ?? true) entry.invalidate();
    }
  };

  const watch = (entry: Entry<unknown>) => {
    if (!store.subscribe || destroyed) return;
    for (const topic of entry.query.topics ?? []) {
      let watched = topics.get(topic);
      if (!watched) {
        const unsubscribe = store.subscribe(topic, (change) => onChange(topic, change));
        watched = { entries: new Set(), unsubscribe };
        topics.set(topic, watched);
      }
      watched.entries.add(entry);
    }
  };

  const unwatch = (entry: Entry<unknown>) => {
    for (const [topic, watched] of topics) {
      if (!watched.entries.delete(entry) || watched.entries.size > 0) continue;
      topics.delete(topic);
      watched.unsubscribe();
    }
  };

  const createEntry = <T>(query: StoreQuery<T>, hash: string): Entry<T> => {
    const listeners = new Set<() => void>();
    let snapshot: QuerySnapshot<T> = PENDING;
    let inFlight: Promise<T> | null = null;
    let refetchQueued = false;
    let gcTimer: ReturnType<typeof setTimeout> | undefined;

    const publish = (next: QuerySnapshot<T>) => {
      snapshot = Object.freeze(next);
      for (const listener of [...listeners]) listener();
    };

    const scheduleGc = () => {
      clearTimeout(gcTimer);
      gcTimer = undefined;
      // An infinite gcTimeMs keeps entries without a timer (server renders: nothing left open).
      if (listeners.size > 0 || inFlight || destroyed || !Number.isFinite(gcTimeMs)) return;
      gcTimer = setTimeout(() => {
        if (listeners.size === 0 && !inFlight && entries.get(hash) === entry) entries.delete(hash);
      }, gcTimeMs);
      // Never keep a Node process alive just to forget a cache entry.
      (gcTimer as { unref?: () => void }).unref?.();
    };

    const fetchData = (): Promise<T> => {
      if (inFlight) return inFlight;
      refetchQueued = false;
      if (!snapshot.isFetching) publish({ ...snapshot, isFetching: true });
      const request = (async () => entry.query.fetch(store))();
      inFlight = request;
      request.then(
        (data) => {
          inFlight = null;
          publish({
            data: replaceEqualDeep(snapshot.data, data),
            error: null,
            isLoading: false,
            isFetching: refetchQueued && listeners.size > 0,
            updatedAt: Date.now(),
          });
          settle();
        },
        (thrown: unknown) => {
          inFlight = null;
          publish({
            ...snapshot,
            error: toError(thrown, hash),
            isLoading: false,
            isFetching: refetchQueued && listeners.size > 0,
          });
          settle();
        },
      );
      return request;
    };

    // A change that arrived during the request is not lost: fetch once more.
    const settle = () => {
      if (refetchQueued && listeners.size > 0) {
        fetchData().catch(() => {});
      } else {
        refetchQueued = false;
        if (snapshot.isFetching) publish({ ...snapshot, isFetching: false });
        scheduleGc();
      }
    };

    const entry: Entry<T> = {
      hash,
      query,
      key: query.key,
      getSnapshot: () => snapshot,
      hasListeners: () => listeners.size > 0,
      subscribe(listener) {
        if (destroyed) return () => {};
        listeners.add(listener);
        if (listeners.size === 1) {
          clearTimeout(gcTimer);
          // Re-register after a garbage collection, unless a live twin took the slot meanwhile.
          const current = entries.get(hash);
          if (current !== entry && !current?.hasListeners()) {
            entries.set(hash, entry as Entry<unknown>);
          }
          watch(entry as Entry<unknown>);
          // The first observer gets fresh data; the rejection already lives in the snapshot.
          fetchData().catch(() => {});
        }
        let active = true;
        return () => {
          if (!active) return;
          active = false;
          listeners.delete(listener);
          if (listeners.size === 0) {
            unwatch(entry as Entry<unknown>);
            scheduleGc();
          }
        };
      },
      refetch: () =>
        fetchData().then(
          () => snapshot,
          () => snapshot,
        ),
      fetchData,
      invalidate() {
        if (inFlight) refetchQueued = true;
        else if (listeners.size > 0) fetchData().catch(() => {});
      },
      setData(data, updatedAt) {
        if (updatedAt <= snapshot.updatedAt) return;
        publish({ ...snapshot, data, error: null, isLoading: false, updatedAt });
        scheduleGc();
      },
      dispose() {
        listeners.clear();
        clearTimeout(gcTimer);
        gcTimer = undefined;
      },
    };
    return entry;
  };

  const entryFor = <T>(query: StoreQuery<T>): Entry<T> => {
    const hash = hashQueryKey(query.key);
    let entry = entries.get(hash) as Entry<T> | undefined;
    if (entry) entry.query = query;
    else {
      entry = createEntry(query, hash);
      entries.set(hash, entry as Entry<unknown>);
    }
    return entry;
  };

  return {
    store,
    observe: (query) => entryFor(query),
    fetch: (query) => entryFor(query).fetchData(),
    invalidate(filter) {
      for (const entry of [...entries.values()]) {
        const matches =
          filter === undefined ||
          (typeof filter === 'function'
            ? filter(entry.key)
            : (entry.query.topics ?? []).includes(filter));
        if (matches) entry.invalidate();
      }
    },
    dehydrate() {
      const queries: DehydratedQueries['queries'][number][] = [];
      for (const entry of entries.values()) {
        const { data, updatedAt } = entry.getSnapshot();
        if (updatedAt > 0 && isJsonValue(data)) queries.push({ key: entry.key, data, updatedAt });
      }
      return { queries };
    },
    hydrate(state) {
      for (const { key, data, updatedAt } of state.queries) {
        const hash = hashQueryKey(key);
        let entry = entries.get(hash);
        if (!entry) {
          entry = createEntry<unknown>(
            {
              key,
              fetch: () =>
                Promise.reject(
                  new FactoredError(
                    'internal',
                    `The hydrated query ${hash} has no fetch function yet; observe it with its query before refetching.`,
                  ),
                ),
            },
            hash,
          );
          entries.set(hash, entry);
        }
        entry.setData(data, updatedAt);
      }
    },
    clear() {
      for (const [hash, entry] of entries) {
        if (!entry.hasListeners()) entries.delete(hash);
      }
    },
    destroy() {
      destroyed = true;
      for (const entry of entries.values()) entry.dispose();
      entries.clear();
      for (const watched of topics.values()) watched.unsubscribe();
      topics.clear();
    },
  };
}
