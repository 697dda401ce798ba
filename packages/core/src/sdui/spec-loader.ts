import { FactoredError } from '../errors.js';
import {
  type LoadedSpec,
  type LoadSpecOptions,
  loadCachedSpec,
  loadSpec,
  type SpecRejection,
  type SpecSource,
} from './loader.js';
import { RENDERER_VERSION, type Spec } from './types.js';
import { assertValidSpec } from './validate.js';

/** What a {@link SpecLoader} currently holds. Replaced (never mutated) on every change. */
export interface SpecLoaderSnapshot {
  /** `loading` until the first load settles, then `ready`. */
  status: 'loading' | 'ready';
  /**
   * Always renderable: the baseline at first, the verified cached spec as soon as it is read
   * (still `loading`), then whatever the load settled on.
   */
  spec: Spec;
  source: SpecSource;
  version: number | null;
  keyId: string | null;
  rejections: readonly SpecRejection[];
  /** Set when loading itself failed unexpectedly (the previous spec stays). */
  error: FactoredError | null;
}

/** An observable spec slot, for `useSyncExternalStore` and other framework adapters. */
export interface SpecLoader {
  /**
   * Calls `listener` after each snapshot change. The first subscriber starts loading and
   * listening to `store.subscribe('specs')`; the last one to leave stops listening.
   */
  subscribe(listener: () => void): () => void;
  /** The current snapshot (same object until something changes). */
  getSnapshot(): SpecLoaderSnapshot;
  /** The snapshot for server rendering and hydration: always the baseline. */
  getServerSnapshot(): SpecLoaderSnapshot;
  /** Loads again now; concurrent calls share one load (plus one follow-up if needed). */
  refresh(): Promise<SpecLoaderSnapshot>;
  /** Stops listening to the store and drops every listener. */
  destroy(): void;
}

/** Options of {@link createSpecLoader}: those of `loadSpec`, plus polling. */
export interface SpecLoaderOptions extends LoadSpecOptions {
  /**
   * Also reload every this many milliseconds while someone is subscribed: for stores without
   * realtime `subscribe`, or as a safety net. Default: no polling.
   */
  refreshIntervalMs?: number;
}

/**
 * Creates an observable loader for one spec slot (TanStack style: a framework-free object with
 * `subscribe` and `getSnapshot`). It starts on the baseline, loads on first subscription, and
 * reloads whenever the store reports a change to this spec name.
 *
 * @example
 * ```ts
 * const loader = createSpecLoader({ store, name: 'home', platform: 'web', baseline, storage, verifier });
 * const unsubscribe = loader.subscribe(() => render(loader.getSnapshot().spec));
 * ```
 */
export function createSpecLoader(options: SpecLoaderOptions): SpecLoader {
  assertValidSpec(options.baseline, {
    rendererVersion: options.rendererVersion ?? RENDERER_VERSION,
  });
  const initial: SpecLoaderSnapshot = Object.freeze({
    status: 'loading',
    spec: options.baseline,
    source: 'baseline',
    version: null,
    keyId: null,
    rejections: Object.freeze([]) as readonly SpecRejection[],
    error: null,
  });
  let snapshot = initial;
  const listeners = new Set<() => void>();
  let unsubscribeStore: (() => void) | null = null;
  let inFlight: Promise<SpecLoaderSnapshot> | null = null;
  let again = false;
  let destroyed = false;

  const publish = (next: SpecLoaderSnapshot) => {
    snapshot = Object.freeze(next);
    for (const listener of [...listeners]) listener();
  };

  const fromLoaded = (loaded: LoadedSpec): SpecLoaderSnapshot => ({
    status: 'ready',
    spec: loaded.spec,
    source: loaded.source,
    version: loaded.version,
    keyId: loaded.keyId,
    rejections: Object.freeze([...loaded.rejections]),
    error: null,
  });

  const sameAs = (next: SpecLoaderSnapshot) =>
    snapshot.status === next.status &&
    snapshot.source === next.source &&
    snapshot.version === next.version &&
    snapshot.keyId === next.keyId &&
    snapshot.error === next.error &&
    snapshot.spec === next.spec &&
    JSON.stringify(snapshot.rejections) === JSON.stringify(next.rejections);

  const runOnce = async (): Promise<SpecLoaderSnapshot> => {
    try {
      const next = fromLoaded(await loadSpec(options));
      // Keep the old spec object when nothing changed, so renderers can skip work.
      if (
        next.source === snapshot.source &&
        next.version === snapshot.version &&
        next.source !== 'baseline'
      ) {
        next.spec = snapshot.spec;
      }
      if (!destroyed && !sameAs(next)) publish(next);
    } catch (cause) {
      const error =
        cause instanceof FactoredError
          ? cause
          : new FactoredError('internal', `Loading spec "${options.name}" failed unexpectedly.`, {
              cause,
            });
      if (!destroyed) publish({ ...snapshot, status: 'ready', error });
    }
    return snapshot;
  };

  // Shows the verified cached spec while the first remote check is still in flight.
  const peekCache = async () => {
    const cached = await loadCachedSpec(options).catch(() => null);
    if (cached && !destroyed && snapshot.status === 'loading')
      publish({ ...fromLoaded(cached), status: 'loading' });
  };

  const refresh = (): Promise<SpecLoaderSnapshot> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      if (snapshot.status === 'loading' && options.storage) void peekCache();
      let result = await runOnce();
      while (again && !destroyed) {
        again = false;
        result = await runOnce();
      }
      inFlight = null;
      return result;
    })();
    return inFlight;
  };

  return {
    subscribe(listener) {
      if (destroyed) return () => {};
      listeners.add(listener);
      if (listeners.size === 1) {
        const stopRealtime = options.store.subscribe?.('specs', (change) => {
          if (change.key === undefined || change.key === options.name) void refresh();
        });
        const interval = options.refreshIntervalMs;
        const timer =
          interval !== undefined && interval > 0
            ? setInterval(() => void refresh(), interval)
            : undefined;
        unsubscribeStore = () => {
          stopRealtime?.();
          if (timer !== undefined) clearInterval(timer);
        };
        void refresh();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          unsubscribeStore?.();
          unsubscribeStore = null;
        }
      };
    },
    getSnapshot: () => snapshot,
    getServerSnapshot: () => initial,
    refresh,
    destroy() {
      destroyed = true;
      listeners.clear();
      unsubscribeStore?.();
      unsubscribeStore = null;
    },
  };
}
