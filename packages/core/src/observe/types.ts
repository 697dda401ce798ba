import type { FactoredStore } from '../store/contract.js';
import type { StoreChange, StoreTopic } from '../store/realtime.js';
import type { JsonValue } from '../util/json.js';

/**
 * Identifies a read. Two queries with equal keys (compared as canonical JSON, so object key
 * order does not matter) share one cache entry and one in-flight request.
 *
 * @example `['factors', userId, 'checkout/review']`
 */
export type QueryKey = readonly JsonValue[];

/** A keyed read from a store: what to fetch, and which store changes make it stale. */
export interface StoreQuery<T> {
  /** Identity of the read; equal keys share a cache entry. */
  readonly key: QueryKey;
  /** Performs the read. Rejections surface in {@link QuerySnapshot.error}. */
  readonly fetch: (store: FactoredStore) => Promise<T>;
  /**
   * Store topics whose changes invalidate this query while it is observed (live queries).
   * Ignored for stores without `subscribe`.
   */
  readonly topics?: readonly StoreTopic[];
  /**
   * Narrows invalidation to relevant changes (for example only the observed experiment).
   * Default: every change on {@link StoreQuery.topics} invalidates.
   */
  readonly isAffectedBy?: (change: StoreChange) => boolean;
}

/**
 * The state of one query. Snapshots are immutable and stable: {@link QueryObserver.getSnapshot}
 * returns the same object until something observable changes, which is what
 * `useSyncExternalStore` needs.
 */
export interface QuerySnapshot<T> {
  /** The last successful result, kept while refetching and after a failed refetch. */
  readonly data: T | undefined;
  /** The error of the last fetch, or `null` when it succeeded. Never swallowed. */
  readonly error: Error | null;
  /** True until the first fetch settles (no data and no error yet). */
  readonly isLoading: boolean;
  /** True while a request is in flight (including background refetches). */
  readonly isFetching: boolean;
  /** Epoch ms of the last successful fetch, `0` before. */
  readonly updatedAt: number;
}

/** A live view of one cache entry, shaped for `useSyncExternalStore`. */
export interface QueryObserver<T> {
  /** The canonical hash of the query key. */
  readonly hash: string;
  /**
   * Registers `listener`, called after each snapshot change. The first listener starts a fetch
   * (a background refetch when data is cached) and subscribes to the query's store topics;
   * the last one to leave unsubscribes from them. Returns the unsubscribe function.
   */
  subscribe(listener: () => void): () => void;
  /** The current snapshot (same object until it changes). */
  getSnapshot(): QuerySnapshot<T>;
  /** Fetches now, or joins the request in flight. Resolves with the settled snapshot. */
  refetch(): Promise<QuerySnapshot<T>>;
}

/** Options of {@link createQueryCache}. */
export interface QueryCacheOptions {
  /**
   * How long an entry nobody observes keeps its data, in ms (default 5 minutes). A remount
   * within that time renders the cached data at once and refetches in the background.
   * `Infinity` keeps entries with no timer at all (what a server render uses: the cache is
   * dropped with the request).
   */
  gcTimeMs?: number;
}

/** Cached results that {@link QueryCache.dehydrate} serializes for server rendering. */
export interface DehydratedQueries {
  /** One entry per query with data. */
  readonly queries: readonly {
    readonly key: QueryKey;
    readonly data: JsonValue;
    readonly updatedAt: number;
  }[];
}

/**
 * An observable, deduplicating cache of store reads (one per store), in the style of TanStack
 * Query's `QueryCache`: framework adapters wrap {@link QueryObserver}s.
 */
export interface QueryCache {
  /** The store every query of this cache reads from. */
  readonly store: FactoredStore;
  /** The observer of `query` (the same object for equal keys while the entry lives). */
  observe<T>(query: StoreQuery<T>): QueryObserver<T>;
  /**
   * Resolves with the data of `query`, reusing a request in flight for an equal key. Rejects
   * with the fetch error. Caches the result (servers use it to prefetch before rendering).
   */
  fetch<T>(query: StoreQuery<T>): Promise<T>;
  /**
   * Marks matching queries stale and refetches those that are observed. Without `filter`,
   * every query; with a topic, the queries listening to it; with a function, the queries whose
   * key it accepts.
   */
  invalidate(filter?: StoreTopic | ((key: QueryKey) => boolean)): void;
  /** The cached data of every query with JSON data, for `hydrate` on the client. */
  dehydrate(): DehydratedQueries;
  /** Seeds the cache with dehydrated data; existing newer data wins. */
  hydrate(state: DehydratedQueries): void;
  /** Drops every entry that nobody observes. */
  clear(): void;
  /**
   * Releases everything the cache holds: store subscriptions, garbage-collection timers,
   * entries and listeners. Later observers get the last snapshot and no updates; `fetch`
   * still reads once. Idempotent.
   */
  destroy(): void;
}
