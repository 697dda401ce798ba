import type { Platform } from '../capture/types.js';
import { FactoredError, isFactoredError } from '../errors.js';
import type { FactorValue } from '../factors/types.js';
import type { FactoredStore } from '../store/contract.js';
import { createRandomId } from '../util/ids.js';
import { decideFlag, defaultEvaluation } from './decide.js';
import type { Assignment, DeviceMetadata, Experiment, FlagEvaluation, Holdout } from './types.js';

/** Statuses a flag client loads: running (bucketing), concluded (winner), stopped (default). */
const LOADED_STATUSES = ['running', 'concluded', 'stopped'] as const;

/** Default time after which definitions and assignments are re-read: 60 seconds. */
export const DEFAULT_FLAG_TTL_MS = 60_000;

/**
 * Everything a flag client needs to evaluate synchronously, as plain JSON: produced by
 * {@link serializeFlagState} on a server, passed as `bootstrap` in the browser so the first
 * render already has the right variants (no flicker).
 */
export interface SerializedFlagState {
  /** Format version; currently 1. */
  v: 1;
  /** The user the assignments and factors belong to. */
  userId: string;
  /** When the state was read (ISO 8601); a bootstrap younger than `ttlMs` is not re-read. */
  savedAt: string;
  experiments: Experiment[];
  assignments: Assignment[];
  /** The user's factor values on the paths of experiments with factor rules. */
  factors: FactorValue[];
  /** The store's holdout (absent or `null`: none). */
  holdout?: HoldoutRule | null;
}

/** What deciding needs of the store's holdout. */
export type HoldoutRule = Pick<Holdout, 'share' | 'seed'>;

/** Options of {@link createFlagClient}. */
export interface FlagClientOptions {
  store: FactoredStore;
  /** The user to evaluate for. Default: the store's identity (a user store). */
  userId?: string;
  /** The platform targeting and platform lists see (e.g. `web`). */
  platform?: Platform;
  /** Device/session metadata targeting rules read (`app_version`, `os_version`...). */
  metadata?: DeviceMetadata;
  /** Serialized state from a server (SSR): evaluations are ready before any request. */
  bootstrap?: SerializedFlagState;
  /**
   * Re-read definitions and assignments after this many ms (default 60 s), in addition to
   * realtime changes when the store has `subscribe`. `0` disables the timer.
   */
  ttlMs?: number;
  /**
   * The session exposures are deduplicated by: the capture session id (pass
   * `capture.getSessionId`) or any id. Default: one random id per client (per page load).
   */
  sessionId?: string | (() => string);
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** What {@link FlagClient.getSnapshot} returns; the same object until something changes. */
export interface FlagClientSnapshot {
  /** `loading` before the first load, `ready` after, `error` when the first load failed. */
  status: 'loading' | 'ready' | 'error';
  /** The user evaluated for, once known. */
  userId: string | null;
  /** The last load error (a later refresh failure keeps the last good state). */
  error: FactoredError | null;
  /** Increases with every state change; evaluations are stable within a version. */
  version: number;
  /** Epoch ms of the last successful load. */
  loadedAt: number | null;
}

/** Per-call overrides of the client's targeting context. */
export interface FlagContext {
  platform?: Platform;
  metadata?: DeviceMetadata;
}

/**
 * A local flag evaluator for one user, in the style of TanStack Query's core objects: it loads
 * the definitions and the user's assignments once, then evaluates synchronously with no round
 * trip, stays fresh through `store.subscribe` and a TTL, and exposes `subscribe` +
 * `getSnapshot` for `useSyncExternalStore`.
 */
export interface FlagClient {
  /** The store the client reads and writes. */
  readonly store: FactoredStore;
  /** Resolves after the first load (immediately when bootstrapped); rejects if it failed. */
  ready(): Promise<void>;
  /** The current snapshot: a stable object, replaced on every change. */
  getSnapshot(): FlagClientSnapshot;
  /** Calls `listener` after every change of the snapshot. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Evaluates a flag (an experiment name) synchronously. Returns the same object for the same
   * flag until the snapshot changes. A new assignment is kept locally at once (sticky) and
   * written to the store in the background; the store's answer wins if another tab was first.
   * Before the first load, every flag evaluates to the default (`cause: 'loading'`).
   */
  evaluate(flag: string, context?: FlagContext): FlagEvaluation;
  /**
   * Records that the user saw the flag's variant: once per experiment and session, however
   * often it is called (`recorded: false` for repeats and when the user is not in the
   * experiment). Waits for the assignment write first.
   */
  recordExposure(flag: string | FlagEvaluation): Promise<{ recorded: boolean }>;
  /** Re-reads definitions, assignments and factors now. */
  refresh(): Promise<void>;
  /** Switches to another user (drops the previous user's state) and loads theirs. */
  setUser(userId: string): Promise<void>;
  /** The state as JSON, to bootstrap a client elsewhere (see {@link SerializedFlagState}). */
  serialize(): SerializedFlagState;
  /**
   * Stops timers and realtime subscriptions and forgets listeners; later loads and writes are
   * ignored. Idempotent.
   */
  destroy(): void;
}

/** @internal */
export interface LoadedState {
  userId: string;
  /** Read-only (may be shared between states). */
  experiments: ReadonlyMap<string, Experiment>;
  /** Read-only (may be shared between states). */
  runningByPath: ReadonlyMap<string, readonly Experiment[]>;
  assignments: Map<string, Assignment>;
  /** Read-only. */
  factorsByPath: ReadonlyMap<string, readonly FactorValue[]>;
  holdout: HoldoutRule | null;
}

/** @internal Definitions indexed by name, and the running ones by path; never mutated once built. */
export interface IndexedDefinitions {
  byName: Map<string, Experiment>;
  runningByPath: Map<string, Experiment[]>;
}

function indexDefinitions(experiments: readonly Experiment[]): IndexedDefinitions {
  const byName = new Map<string, Experiment>();
  const runningByPath = new Map<string, Experiment[]>();
  for (const experiment of experiments) {
    byName.set(experiment.name, experiment);
    if (experiment.status === 'running') {
      const list = runningByPath.get(experiment.path);
      if (list) list.push(experiment);
      else runningByPath.set(experiment.path, [experiment]);
    }
  }
  return { byName, runningByPath };
}

const sharedDefinitions = new WeakMap<readonly Experiment[], IndexedDefinitions>();

/**
 * @internal The index of an `experiments` array, built once per array and shared by every state
 * built from it (bootstrapped clients, server flag state): replace the array, never edit it.
 */
export function definitionsOf(experiments: readonly Experiment[]): IndexedDefinitions {
  let definitions = sharedDefinitions.get(experiments);
  if (!definitions) {
    definitions = indexDefinitions(experiments);
    sharedDefinitions.set(experiments, definitions);
  }
  return definitions;
}

const NO_FACTORS: ReadonlyMap<string, FactorValue[]> = new Map();
const NOTHING_REFUSED: ReadonlySet<string> = new Set();

/**
 * @internal `holdout`: the project's holdout, if any. `shareDefinitions`: use the shared index of
 * `experiments` ({@link definitionsOf}; the definitions maps of a state are read-only, only
 * `assignments` is ever written).
 */
export function buildState(
  userId: string,
  experiments: readonly Experiment[],
  assignments: readonly Assignment[],
  factors: readonly FactorValue[],
  holdout: HoldoutRule | null = null,
  shareDefinitions = false,
): LoadedState {
  const definitions = shareDefinitions ? definitionsOf(experiments) : indexDefinitions(experiments);
  const ownAssignments = new Map<string, Assignment>();
  for (const assignment of assignments) {
    if (assignment.userId === userId) ownAssignments.set(assignment.experimentId, assignment);
  }
  let factorsByPath: Map<string, FactorValue[]> | null = null;
  for (const value of factors) {
    if (value.userId !== userId) continue;
    factorsByPath ??= new Map();
    const list = factorsByPath.get(value.path);
    if (list) list.push(value);
    else factorsByPath.set(value.path, [value]);
  }
  return {
    userId,
    experiments: definitions.byName,
    runningByPath: definitions.runningByPath,
    assignments: ownAssignments,
    factorsByPath: factorsByPath ?? NO_FACTORS,
    holdout,
  };
}

/** @internal What a flag client reads for one user: the store calls of a load, nothing else. */
export async function readFlagData(
  store: FactoredStore,
  userId: string,
): Promise<{
  experiments: Experiment[];
  assignments: Assignment[];
  factors: FactorValue[];
  holdout: HoldoutRule | null;
}> {
  const [experiments, assignments, stored] = await Promise.all([
    store.listExperiments({ status: LOADED_STATUSES }),
    store.listAssignments({ userId }),
    // A 0.5.1 custom store has no holdout: none.
    typeof store.getHoldout === 'function' ? store.getHoldout() : null,
  ]);
  const factorPaths = new Set<string>();
  for (const experiment of experiments) {
    if (
      experiment.status === 'running' &&
      experiment.targeting.some((rule) => rule.kind === 'factor')
    )
      factorPaths.add(experiment.path);
  }
  const factors = (
    await Promise.all([...factorPaths].map((path) => store.getFactors({ userId, path })))
  ).flat();
  return { experiments, assignments, factors, holdout: stored };
}

/** @internal Evaluates `flag` in a loaded state. Pure: records nothing. */
export function evaluateIn(
  state: LoadedState,
  flag: string,
  refused: ReadonlySet<string>,
  platform: Platform | undefined,
  metadata: DeviceMetadata | undefined,
): FlagEvaluation {
  const experiment = state.experiments.get(flag);
  if (!experiment) return defaultEvaluation(flag, 'unknown_flag');
  if (refused.has(experiment.id))
    return { ...defaultEvaluation(flag, 'excluded'), experimentId: experiment.id };
  const assignment = state.assignments.get(experiment.id);
  let excluded = false;
  if (!assignment && experiment.status === 'running') {
    for (const other of state.runningByPath.get(experiment.path) ?? []) {
      if (other.id !== experiment.id && state.assignments.has(other.id)) {
        excluded = true;
        break;
      }
    }
  }
  const factors = state.factorsByPath.get(experiment.path);
  return decideFlag(experiment, {
    userId: state.userId,
    assignment,
    excluded,
    holdout: state.holdout,
    ...(factors ? { factors } : {}),
    ...(metadata ? { metadata } : {}),
    ...(platform !== undefined ? { platform } : {}),
  });
}

/** @internal The assignment an evaluation makes when the user has none yet, else `null`. */
export function newAssignment(
  state: LoadedState,
  result: FlagEvaluation,
  now: () => number,
): Assignment | null {
  const { experimentId, variantKey } = result;
  return result.inExperiment &&
    experimentId !== null &&
    variantKey !== null &&
    !state.assignments.has(experimentId)
    ? { userId: state.userId, experimentId, variantKey, assignedAt: new Date(now()).toISOString() }
    : null;
}

/** @internal */
export function assertSerializedState(value: unknown): asserts value is SerializedFlagState {
  const s = value as Partial<SerializedFlagState> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    s.v !== 1 ||
    typeof s.userId !== 'string' ||
    typeof s.savedAt !== 'string' ||
    !Number.isFinite(Date.parse(s.savedAt)) ||
    !Array.isArray(s.experiments) ||
    !Array.isArray(s.assignments) ||
    !Array.isArray(s.factors)
  ) {
    throw new FactoredError(
      'invalid_input',
      'bootstrap: expected the output of serializeFlagState() ({ v: 1, userId, savedAt, experiments, assignments, factors }).',
      { details: { field: 'bootstrap' } },
    );
  }
}

function toFactoredError(error: unknown): FactoredError {
  if (error instanceof FactoredError) return error;
  return new FactoredError(
    'unavailable',
    `flag client: loading flags failed (${error instanceof Error ? error.message : String(error)}).`,
    { cause: error },
  );
}

/**
 * Creates a local flag client. See {@link FlagClient}.
 *
 * @example
 * ```ts
 * const flags = createFlagClient({ store, platform: 'web', metadata: { app_version: '2.4.0' } });
 * await flags.ready();
 * const { variantKey, config } = flags.evaluate('checkout-button-copy');
 * void flags.recordExposure('checkout-button-copy');
 * ```
 */
export function createFlagClient(options: FlagClientOptions): FlagClient {
  const { store } = options;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? DEFAULT_FLAG_TTL_MS;

  // Everything below `snapshot` is made on first use (issue #18): a server that creates a client
  // per request and evaluates one flag pays for that flag, not for a long-lived client's
  // bookkeeping — no session id, listener set, memo, write queue or ready promise until
  // something needs one (realtime subscriptions, when the store has them, open at once).
  let requestedUser = options.userId;
  let state: LoadedState | null = null;
  let snapshot: FlagClientSnapshot = {
    status: 'loading',
    userId: requestedUser ?? null,
    error: null,
    version: 0,
    loadedAt: null,
  };
  /** The default exposure session: one random id per client, drawn when first needed. */
  let defaultSession: string | null = null;
  let listeners: Set<() => void> | null = null;
  let memo: Map<string, FlagEvaluation> | null = null;
  /** Assignment writes in flight, by experiment id. */
  let pending: Map<string, Promise<Assignment | null>> | null = null;
  /** Local assignments whose write failed for a transient reason; retried on refresh. */
  let unsynced: Set<string> | null = null;
  /** Experiments the store refused to assign (exclusion raced elsewhere, or not running). */
  let refused: Set<string> | null = null;
  /** Exposure keys (`experimentId`) already recorded in `exposureSession`. */
  let exposed: Set<string> | null = null;
  let exposureSession: string | null = null;
  let destroyed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let loading: Promise<void> | null = null;
  let reloadRequested = false;
  let generation = 0;
  let unsubscribers: (() => void)[] | null = null;

  // ready(): the promise is made when someone asks for it; until then only its outcome is kept
  // (`undefined` while pending, `null` once resolved, the error once rejected).
  let readyOutcome: FactoredError | null | undefined;
  let readyPromise: Promise<void> | null = null;
  /** Settles the pending promise handed out by ready(), if one was. */
  let settlePending: ((error?: FactoredError) => void) | null = null;
  const resetReady = () => {
    readyOutcome = undefined;
    // A promise handed out earlier stays pending (as before a user switch), a new one is made.
    readyPromise = settlePending = null;
  };
  /** Settles ready(); after a failed first load, a later success (or failure) replaces it. */
  const settleReady = (error?: FactoredError) => {
    if (settlePending) settlePending(error);
    else readyPromise = null;
    settlePending = null;
    readyOutcome = error ?? null;
  };
  const ready = (): Promise<void> => {
    if (!readyPromise) {
      readyPromise =
        readyOutcome === undefined
          ? new Promise<void>((resolve, reject) => {
              settlePending = (error) => (error ? reject(error) : resolve());
            })
          : readyOutcome
            ? Promise.reject(readyOutcome)
            : Promise.resolve();
      // A rejected ready() nobody awaits must not become an unhandled rejection.
      readyPromise.catch(() => {});
    }
    return readyPromise;
  };

  const update = (patch: Partial<FlagClientSnapshot>) => {
    memo = null;
    snapshot = { ...snapshot, ...patch, version: snapshot.version + 1 };
    if (listeners) for (const listener of [...listeners]) listener();
  };

  const scheduleTimer = (delay: number) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (destroyed || !(ttlMs > 0) || !Number.isFinite(ttlMs)) return;
    timer = setTimeout(
      () => {
        timer = null;
        void refresh().catch(() => {});
      },
      Math.max(0, delay),
    );
    // Never keep a Node process (SSR, tests, CLI) alive for a refresh.
    (timer as { unref?: () => void }).unref?.();
  };

  const resolveUser = async (): Promise<string> => {
    if (requestedUser !== undefined) return requestedUser;
    const identity = await store.getIdentity();
    if (identity.userId === null) {
      throw new FactoredError(
        'invalid_input',
        `flag client: the store acts as ${identity.role} with no user; pass { userId } to createFlagClient.`,
      );
    }
    return identity.userId;
  };

  const loadOnce = async (): Promise<void> => {
    const myGeneration = generation;
    const userId = await resolveUser();
    const { experiments, assignments, factors, holdout } = await readFlagData(store, userId);
    if (destroyed || myGeneration !== generation) return;
    const next = buildState(userId, experiments, assignments, factors, holdout);
    // Keep local assignments whose write has not landed yet.
    if (state && state.userId === userId) {
      for (const experimentId of [...(pending?.keys() ?? []), ...(unsynced ?? [])]) {
        const local = state.assignments.get(experimentId);
        if (local && !next.assignments.has(experimentId)) next.assignments.set(experimentId, local);
      }
    }
    state = next;
    refused = null;
    update({ status: 'ready', userId, error: null, loadedAt: now() });
    settleReady();
    if (unsynced) {
      for (const experimentId of [...unsynced]) {
        const local = state.assignments.get(experimentId);
        if (local) writeAssignment(local);
      }
    }
    scheduleTimer(ttlMs);
  };

  const refresh = (): Promise<void> => {
    if (destroyed) return Promise.resolve();
    if (loading) {
      reloadRequested = true;
      return loading;
    }
    const runGeneration = generation;
    const run = async (): Promise<void> => {
      try {
        do {
          reloadRequested = false;
          await loadOnce();
        } while (reloadRequested && !destroyed);
      } catch (error) {
        const failure = toFactoredError(error);
        // A load for a previous user (before setUser) must not touch the new user's state.
        if (runGeneration !== generation) return;
        if (state) update({ error: failure });
        else {
          update({ status: 'error', error: failure });
          settleReady(failure);
        }
        scheduleTimer(ttlMs);
        throw failure;
      } finally {
        if (loading === current) loading = null;
      }
    };
    const current: Promise<void> = run();
    loading = current;
    return current;
  };

  const writeAssignment = (local: Assignment) => {
    const experimentId = local.experimentId;
    unsynced?.delete(experimentId);
    const write = store.recordAssignment(local).then(
      (stored) => {
        if (pending?.get(experimentId) === write) pending.delete(experimentId);
        if (!state || state.userId !== local.userId) return stored;
        if (stored.variantKey !== local.variantKey || stored.assignedAt !== local.assignedAt) {
          const changed = stored.variantKey !== local.variantKey;
          state.assignments.set(experimentId, stored);
          if (changed) update({});
        }
        return stored;
      },
      (error: unknown) => {
        if (pending?.get(experimentId) === write) pending.delete(experimentId);
        if (!state || state.userId !== local.userId) return null;
        if (isFactoredError(error, 'conflict') || isFactoredError(error, 'not_found')) {
          // Another experiment on this path won the race, or the experiment stopped: drop the
          // local assignment and learn the truth from the store.
          state.assignments.delete(experimentId);
          refused ??= new Set();
          refused.add(experimentId);
          update({});
          void refresh().catch(() => {});
        } else {
          unsynced ??= new Set();
          unsynced.add(experimentId);
          update({ error: toFactoredError(error) });
        }
        return null;
      },
    );
    pending ??= new Map();
    pending.set(experimentId, write);
  };

  const evaluate = (flag: string, context?: FlagContext): FlagEvaluation => {
    const useMemo = context === undefined;
    if (useMemo) {
      const cached = memo?.get(flag);
      if (cached) return cached;
    }
    let result: FlagEvaluation;
    if (!state) result = defaultEvaluation(flag, 'loading');
    else {
      result = evaluateIn(
        state,
        flag,
        refused ?? NOTHING_REFUSED,
        context?.platform ?? options.platform,
        context?.metadata ?? options.metadata,
      );
      const local = newAssignment(state, result, now);
      if (local) {
        // Sticky at once: it also excludes the other experiments on the path.
        state.assignments.set(local.experimentId, local);
        writeAssignment(local);
      }
    }
    if (useMemo) {
      memo ??= new Map();
      memo.set(flag, result);
    }
    return result;
  };

  const recordExposure = async (
    flagOrEvaluation: string | FlagEvaluation,
  ): Promise<{ recorded: boolean }> => {
    const evaluation =
      typeof flagOrEvaluation === 'string' ? evaluate(flagOrEvaluation) : flagOrEvaluation;
    if (!state || !evaluation.inExperiment || evaluation.experimentId === null)
      return { recorded: false };
    const experimentId = evaluation.experimentId;
    const session = options.sessionId;
    let sessionId: string;
    if (typeof session === 'function') sessionId = session();
    else if (session !== undefined) sessionId = session;
    else {
      defaultSession ??= createRandomId();
      sessionId = defaultSession;
    }
    if (sessionId !== exposureSession || !exposed) {
      // A new session: forget the previous one's keys, so this set never outgrows the number
      // of experiments.
      exposed = new Set();
      exposureSession = sessionId;
    }
    if (exposed.has(experimentId)) return { recorded: false };
    const seen = exposed;
    seen.add(experimentId);
    const userId = state.userId;
    try {
      const write = pending?.get(experimentId);
      if (write && (await write) === null) {
        seen.delete(experimentId);
        return { recorded: false };
      }
      const assignment = state?.assignments.get(experimentId);
      if (!assignment || state?.userId !== userId) {
        seen.delete(experimentId);
        return { recorded: false };
      }
      return await store.recordExposure({
        userId,
        experimentId,
        variantKey: assignment.variantKey,
        sessionId,
        exposedAt: new Date(now()).toISOString(),
      });
    } catch (error) {
      seen.delete(experimentId);
      throw error;
    }
  };

  if (store.subscribe) {
    unsubscribers = [
      store.subscribe('experiments', () => {
        void refresh().catch(() => {});
      }),
      store.subscribe('assignments', (change) => {
        if (change.key === undefined || change.key === (state?.userId ?? requestedUser)) {
          void refresh().catch(() => {});
        }
      }),
    ];
  }

  if (options.bootstrap !== undefined) {
    const boot = options.bootstrap;
    assertSerializedState(boot);
    const userId = requestedUser ?? boot.userId;
    const sameUser = boot.userId === userId;
    state = buildState(
      userId,
      boot.experiments,
      sameUser ? boot.assignments : [],
      sameUser ? boot.factors : [],
      boot.holdout ?? null,
      true,
    );
    const savedAt = Date.parse(boot.savedAt);
    snapshot = { status: 'ready', userId, error: null, version: 1, loadedAt: savedAt };
    settleReady();
    const age = now() - savedAt;
    if (!sameUser || !Number.isFinite(age) || !(age < ttlMs) || requestedUser === undefined) {
      // Re-read soon: the bootstrap is old, or the store's identity must confirm the user.
      void refresh().catch(() => {});
    } else {
      // The TTL timer is armed once the creating task is over: a client created, evaluated and
      // destroyed within one task (a server's per-request client) never makes one.
      queueMicrotask(() => {
        if (!timer && !loading) scheduleTimer(savedAt + ttlMs - now());
      });
    }
  } else {
    void refresh().catch(() => {});
  }

  return {
    store,
    ready,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners ??= new Set();
      const set = listeners;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    evaluate,
    recordExposure,
    refresh,
    async setUser(userId) {
      if (state?.userId === userId && requestedUser === userId) return;
      requestedUser = userId;
      generation += 1;
      state = null;
      pending = unsynced = refused = exposed = null;
      resetReady();
      update({ status: 'loading', userId, error: null, loadedAt: null });
      loading = null;
      await refresh();
    },
    serialize() {
      if (!state) {
        throw new FactoredError(
          'invalid_input',
          'serializeFlagState: the flag client has not loaded yet; await client.ready() first.',
        );
      }
      return {
        v: 1,
        userId: state.userId,
        savedAt: new Date(snapshot.loadedAt ?? now()).toISOString(),
        experiments: structuredClone([...state.experiments.values()]),
        assignments: structuredClone([...state.assignments.values()]),
        factors: structuredClone([...state.factorsByPath.values()].flat()),
        ...(state.holdout ? { holdout: { ...state.holdout } } : {}),
      };
    },
    destroy() {
      destroyed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (unsubscribers) for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      listeners?.clear();
    },
  };
}

/**
 * The state of a loaded flag client as JSON, for SSR: render on the server with a client for
 * the request's user, embed `serializeFlagState(client)` in the page, and pass it as
 * `bootstrap` to the browser's client.
 */
export function serializeFlagState(client: FlagClient): SerializedFlagState {
  return client.serialize();
}
