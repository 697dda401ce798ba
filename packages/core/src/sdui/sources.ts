import { FactoredError } from '../errors.js';
import { withLegacyAliases } from '../legacy/calls.js';
import { isJsonValue } from '../util/json.js';
import type { DataSourceCache } from './storage.js';

/** What a data source's `fetch` receives. */
export interface DataSourceContext {
  /** The source's name in the registry. */
  name: string;
  /** Aborted when the caller gives up (e.g. the component unmounted). */
  signal?: AbortSignal;
}

/**
 * A named data source: where a spec's bound data comes from. Specs bind its result by name,
 * e.g. `{products}` or `{componentFactors.byFactor.error_rate.mean}`.
 */
export interface DataSource<T = unknown> {
  /** Produces the data; may throw or reject (reported per source). */
  fetch(context: DataSourceContext): Promise<T> | T;
  /**
   * `local`: keep the last result in the {@link DataSourceCache} and serve it when `fetch`
   * fails (offline). `none` (default): never cache.
   */
  cache?: 'none' | 'local';
  /** Keep at most this many items of an array result (applied before caching). */
  maxItems?: number;
}

/** Data sources by name. */
export type DataSourceRegistry = Readonly<Record<string, DataSource>>;

/** The outcome of one source. */
export interface SourceResult {
  /** `fresh`: fetched now; `cached`: fetch failed, cached value served; `error`: nothing. */
  status: 'fresh' | 'cached' | 'error';
  value: unknown;
  /** Why the fetch failed (`cached` and `error`). */
  error: FactoredError | null;
  /** When `value` was fetched, ISO 8601 UTC (`null` for `error`). */
  fetchedAt: string | null;
}

/** The outcome of {@link resolveAllSources}. */
export interface ResolvedSources {
  /** Values by source name, ready to use as binding scope (failed sources are absent). */
  data: Record<string, unknown>;
  /** Status of every source. */
  results: Record<string, SourceResult>;
  /** Errors by source name (served-from-cache sources included). */
  errors: Record<string, FactoredError>;
}

/** Options of {@link resolveAllSources}. */
export interface ResolveSourcesOptions {
  signal?: AbortSignal;
  /** Clock for `fetchedAt` (tests). */
  now?: () => number;
}

const toError = (name: string, cause: unknown): FactoredError =>
  cause instanceof FactoredError
    ? cause
    : new FactoredError(
        'unavailable',
        `Data source "${name}" failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause, details: { source: name } },
      );

async function resolveOne(
  name: string,
  source: DataSource,
  cache: DataSourceCache | undefined,
  options: ResolveSourcesOptions,
): Promise<SourceResult> {
  const now = options.now ?? Date.now;
  const useCache = source.cache === 'local' && cache !== undefined;
  try {
    if (typeof source.fetch !== 'function')
      throw new FactoredError('invalid_input', `Data source "${name}" has no fetch function.`);
    const context: DataSourceContext = { name };
    if (options.signal) context.signal = options.signal;
    let value: unknown = await source.fetch(context);
    if (source.maxItems !== undefined && Array.isArray(value))
      value = value.slice(0, Math.max(0, source.maxItems));
    if (useCache && isJsonValue(value)) {
      try {
        await cache.set(name, value);
      } catch {
        // The fresh value is still good; the next successful fetch rewrites the cache.
      }
    }
    return { status: 'fresh', value, error: null, fetchedAt: new Date(now()).toISOString() };
  } catch (cause) {
    const error = toError(name, cause);
    if (useCache) {
      const cached = await cache.get(name).catch(() => null);
      if (cached)
        return { status: 'cached', value: cached.value, error, fetchedAt: cached.storedAt };
    }
    return { status: 'error', value: undefined, error, fetchedAt: null };
  }
}

/**
 * Fetches every source of `registry` in parallel. One failing source never fails the others:
 * it is served from `cache` when its policy is `local` and a cached value exists, and its
 * error is reported either way.
 *
 * @example
 * ```ts
 * const { data, errors } = await resolveAllSources(
 *   { products: { fetch: () => api.products(), cache: 'local', maxItems: 20 } },
 *   createDataSourceCache(localStorage),
 * );
 * renderSpec(spec.root, { scope: data });
 * ```
 */
export async function resolveAllSources(
  registry: DataSourceRegistry,
  cache?: DataSourceCache,
  options: ResolveSourcesOptions = {},
): Promise<ResolvedSources> {
  const names = Object.keys(registry);
  const settled = await Promise.all(
    names.map((name) => resolveOne(name, registry[name] as DataSource, cache, options)),
  );
  const resolved: ResolvedSources = { data: {}, results: {}, errors: {} };
  // defineProperty keeps a source named `__proto__` an ordinary key.
  const put = (target: Record<string, unknown>, name: string, value: unknown) =>
    Object.defineProperty(target, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  names.forEach((name, i) => {
    const result = settled[i] as SourceResult;
    put(resolved.results, name, result);
    if (result.status !== 'error') put(resolved.data, name, result.value);
    if (result.error) put(resolved.errors, name, result.error);
  });
  // 0.5.1 read the values as .sources.
  return withLegacyAliases(resolved, 'resolveAllSources()', { sources: 'data' });
}
