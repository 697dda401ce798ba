import {
  FactoredError,
  type FactoredStore,
  type StoreChange,
  type StoreTopic,
} from '@factoredui/core';
import type { SimulationProgress, SimulationResult } from '../lib/simulate.js';
import {
  type LoadReport,
  type PersistenceStatus,
  type Request,
  type Response,
  STORE_METHODS,
  type StoreIdentity,
  type WireError,
} from './protocol.js';

/** The page's side of the demo database worker. */
export interface DemoDatabaseClient {
  /** Resolves once the worker has loaded the saved data, with how that went. */
  readonly ready: Promise<LoadReport>;
  /** A store acting as `identity`, every call answered by the worker. */
  store(identity: StoreIdentity): FactoredStore;
  /** Runs the traffic simulation in the worker (and saves before resolving). */
  simulate(
    options: { users: number; seed?: number },
    onProgress: (progress: SimulationProgress) => void,
  ): Promise<SimulationResult>;
  /** Saves pending changes now. */
  flush(): Promise<void>;
  /** Empties the database and its saved copy. */
  clear(): Promise<void>;
  /** Calls `listener` when saving fails, and again when it works again. */
  onPersistence(listener: (status: PersistenceStatus) => void): () => void;
  /** The last persistence status reported (`{ ok: true }` until a save fails). */
  persistence(): PersistenceStatus;
}

/** The smallest part of a `Worker` the client uses (a fake one in unit tests). */
export interface WorkerLike {
  postMessage(message: Request): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Response>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}

/** A request before the client numbers it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

const fromWire = (error: WireError): Error =>
  error.code ? new FactoredError(error.code, error.message) : new Error(error.message);

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: SimulationProgress) => void;
};

/** Connects to a running database worker (see `database.worker.ts`). */
export function connectDemoDatabase(worker: WorkerLike): DemoDatabaseClient {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<StoreTopic, Set<(change: StoreChange) => void>>();
  const persistenceListeners = new Set<(status: PersistenceStatus) => void>();
  let persistence: PersistenceStatus = { ok: true };
  let resolveReady: (report: LoadReport) => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const ready = new Promise<LoadReport>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  worker.addEventListener('message', (event) => {
    const message = event.data;
    switch (message.kind) {
      case 'ready':
        resolveReady(message.report);
        return;
      case 'changes':
        for (const change of message.changes)
          for (const listener of listeners.get(change.topic) ?? []) listener(change);
        return;
      case 'persistence':
        persistence = message.status;
        for (const listener of persistenceListeners) listener(message.status);
        return;
      case 'progress':
        pending.get(message.id)?.onProgress?.(message.progress);
        return;
    }
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    if (message.kind === 'error') entry.reject(fromWire(message.error));
    else if (message.kind === 'simulated') {
      const { sweep } = message.result;
      const failures = sweep.failures.map((f) => ({
        ...f,
        error:
          f.error.code === null
            ? new FactoredError('internal', f.error.message)
            : new FactoredError(f.error.code, f.error.message),
      }));
      entry.resolve({ ...message.result, sweep: { ...sweep, failures } });
    } else entry.resolve(message.value);
  });
  worker.addEventListener('error', (event) => {
    // The worker could not start or crashed: fail everything that waits on it, loudly.
    const error = new FactoredError(
      'unavailable',
      `The demo's database worker failed (${event.message || 'no message'}): reload the page.`,
    );
    rejectReady(error);
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  });

  const send = <T>(
    request: Unnumbered<Request>,
    onProgress?: (progress: SimulationProgress) => void,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        ...(onProgress ? { onProgress } : {}),
      });
      worker.postMessage({ ...request, id } as Request);
    });

  const store = (identity: StoreIdentity): FactoredStore => {
    const proxy: Partial<Record<string, unknown>> = {};
    for (const method of STORE_METHODS)
      proxy[method] = (...args: unknown[]) =>
        // Arguments cross by structured clone; `undefined` trailing options are fine.
        send({ kind: 'call', identity, method, args });
    proxy.subscribe = (topic: StoreTopic, listener: (change: StoreChange) => void) => {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };
    return proxy as unknown as FactoredStore;
  };

  return {
    ready,
    store,
    simulate: (options, onProgress) =>
      send<SimulationResult>(
        {
          kind: 'simulate',
          users: options.users,
          ...(options.seed === undefined ? {} : { seed: options.seed }),
        },
        onProgress,
      ),
    flush: () => send<void>({ kind: 'flush' }),
    clear: () => send<void>({ kind: 'clear' }),
    onPersistence(listener) {
      persistenceListeners.add(listener);
      return () => {
        persistenceListeners.delete(listener);
      };
    },
    persistence: () => persistence,
  };
}
