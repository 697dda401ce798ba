import {
  type DataSourceCache,
  type DataSourceRegistry,
  type FactoredError,
  type ResolvedSources,
  resolveAllSources,
  type SourceResult,
} from '@factoredui/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

/** What {@link useSourceData} returns. */
export interface UseSourceDataResult {
  /** Values by source name, ready to pass as `scope` (failed sources are absent). */
  data: Record<string, unknown>;
  /** Status of each source: `fresh`, `cached` (served offline) or `error`. */
  results: Record<string, SourceResult>;
  /** Errors by source name, including sources served from the cache. */
  errors: Record<string, FactoredError>;
  /** True until the first fetch of the current sources settles. */
  isLoading: boolean;
  /** Fetches every source again (the returned promise settles with the new result). */
  refresh: () => Promise<ResolvedSources>;
}

const EMPTY: ResolvedSources = { data: {}, results: {}, errors: {} };

/**
 * Fetches the data sources a spec binds to (`resolveAllSources`): all in parallel, each
 * failure isolated and reported per source, `cache: 'local'` sources served from `cache` when
 * their fetch fails (offline). Fetches on mount, when the set of source names changes, and on
 * `refresh()`. Neither argument's identity matters: the registry and the cache may be new
 * objects on every render (the latest ones are used by the next fetch).
 * Requests of an unmounted component or of an older fetch are aborted and ignored.
 *
 * @example
 * ```tsx
 * const sources = { products: { fetch: () => api.products(), cache: 'local', maxItems: 20 } };
 * function Catalog() {
 *   const { data, errors, isLoading } = useSourceData(sources, sourceCache);
 *   return <SpecView spec={spec} context={{ scope: data }} />;
 * }
 * ```
 */
export function useSourceData(
  registry: DataSourceRegistry | (() => DataSourceRegistry),
  cache?: DataSourceCache,
): UseSourceDataResult {
  const latest = useRef(registry);
  latest.current = registry;
  // Read through a ref: a cache created inline during render must not refetch (it would loop).
  const latestCache = useRef(cache);
  latestCache.current = cache;
  const [state, setState] = useState<{ resolved: ResolvedSources; key: string | null }>({
    resolved: EMPTY,
    key: null,
  });
  const current = typeof registry === 'function' ? null : registry;
  // Refetch only when the names change, not when a registry literal is re-created.
  const namesKey = current ? JSON.stringify(Object.keys(current).sort()) : 'factory';
  const generation = useRef(0);
  const controller = useRef<AbortController | null>(null);

  const refresh = useCallback(async (): Promise<ResolvedSources> => {
    const source = latest.current;
    const sources = typeof source === 'function' ? source() : source;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const mine = ++generation.current;
    const resolved = await resolveAllSources(sources, latestCache.current, {
      signal: abort.signal,
    });
    if (mine === generation.current && !abort.signal.aborted)
      setState({ resolved, key: `${namesKey}` });
    return resolved;
  }, [namesKey]);

  useEffect(() => {
    void refresh();
    return () => {
      generation.current += 1;
      controller.current?.abort();
    };
  }, [refresh]);

  const { resolved, key } = state;
  return useMemo(
    () => ({
      data: resolved.data,
      results: resolved.results,
      errors: resolved.errors,
      isLoading: key !== namesKey,
      refresh,
    }),
    [resolved, key, namesKey, refresh],
  );
}
