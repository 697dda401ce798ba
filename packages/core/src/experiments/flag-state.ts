import type { Platform } from '../capture/types.js';
import { FactoredError, isFactoredError } from '../errors.js';
import type { FactorValue } from '../factors/types.js';
import type { FactoredStore } from '../store/contract.js';
import {
  assertSerializedState,
  buildState,
  definitionsOf,
  evaluateIn,
  type FlagClient,
  type FlagClientSnapshot,
  type IndexedDefinitions,
  newAssignment,
  readFlagData,
  type SerializedFlagState,
} from './client.js';
import { decideFlag, defaultEvaluation } from './decide.js';
import type { Assignment, DeviceMetadata, FlagEvaluation } from './types.js';

/** Options of {@link loadFlagState}. */
export interface LoadFlagStateOptions {
  /** The user to load. Default: the store's identity (a user store). */
  userId?: string;
  /**
   * Opt-in: the flags this response renders whose new assignments must be recorded before it
   * is sent. Each is evaluated in order (platform and metadata below), a new assignment is
   * written with `recordAssignment` and awaited, and the store's answer goes into the state.
   * Default: none — nothing is written, and the browser's client records new assignments
   * after hydration.
   */
  recordAssignments?: readonly string[];
  /** The platform targeting sees when `recordAssignments` evaluates. */
  platform?: Platform;
  /** The metadata targeting sees when `recordAssignments` evaluates. */
  metadata?: DeviceMetadata;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Reads what a server render of flags needs for one user — the definitions (running,
 * concluded, stopped), the user's existing assignments and the factors factor rules read — and
 * returns it as a {@link SerializedFlagState}. It performs reads only: no writes, no
 * subscriptions, no timers, nothing to destroy. Pass the result to the browser's provider as
 * `flagBootstrap` (it is plain JSON, so a React Server Component can pass it to a client
 * component); variants of users with no assignment yet are computed by the same local
 * bucketing on both sides, and the browser's client records them after hydration. With
 * `recordAssignments`, the new assignments of those flags are written and awaited first.
 *
 * @example
 * ```ts
 * // A Next.js server component, or any request handler:
 * const flagState = await loadFlagState(store, { userId });
 * return <Providers flagState={flagState}>{children}</Providers>;
 * ```
 */
export async function loadFlagState(
  store: FactoredStore,
  options: LoadFlagStateOptions = {},
): Promise<SerializedFlagState> {
  const now = options.now ?? Date.now;
  const savedAt = new Date(now()).toISOString();
  let userId = options.userId;
  if (userId === undefined) {
    const identity = await store.getIdentity();
    if (identity.userId === null) {
      throw new FactoredError(
        'invalid_input',
        `loadFlagState: the store acts as ${identity.role} with no user; pass { userId }.`,
        { details: { field: 'userId' } },
      );
    }
    userId = identity.userId;
  } else if (typeof userId !== 'string' || userId === '') {
    throw new FactoredError('invalid_input', 'loadFlagState: userId must be a non-empty string.', {
      details: { field: 'userId' },
    });
  }
  const data = await readFlagData(store, userId);
  let assignments = data.assignments;
  const toRecord = options.recordAssignments ?? [];
  if (toRecord.length > 0) {
    const state = buildState(
      userId,
      data.experiments,
      data.assignments,
      data.factors,
      data.holdout,
    );
    const refused = new Set<string>();
    for (const flag of toRecord) {
      const result = evaluateIn(state, flag, refused, options.platform, options.metadata);
      const local = newAssignment(state, result, now);
      if (!local) continue;
      const experimentId = local.experimentId;
      state.assignments.set(experimentId, local);
      try {
        state.assignments.set(experimentId, await store.recordAssignment(local));
      } catch (error) {
        // Refused (another experiment on the path won, or it stopped): no assignment, and the
        // browser's client learns the same from the store.
        if (!isFactoredError(error, 'conflict') && !isFactoredError(error, 'not_found'))
          throw error;
        state.assignments.delete(experimentId);
        refused.add(experimentId);
      }
    }
    assignments = [...state.assignments.values()];
  }
  return {
    v: 1,
    userId,
    savedAt,
    experiments: data.experiments,
    assignments,
    factors: data.factors,
    ...(data.holdout ? { holdout: data.holdout } : {}),
  };
}

/**
 * One user's evaluation over a {@link SerializedFlagState}, allocation-light: definitions are
 * indexed once per experiments array, the user's assignments are searched in place, and a
 * predicted assignment is remembered only once one is made.
 */
class StateEvaluator {
  private readonly state: SerializedFlagState;
  private readonly at: string;
  private readonly definitions: IndexedDefinitions;
  private readonly stored: readonly Assignment[];
  private factors: readonly FactorValue[] | null = null;
  /** Assignments predicted by this evaluator (sticky, and excluding on their path). */
  private predicted: Map<string, Assignment> | null = null;

  /** `at`: the `assignedAt` of predicted assignments. */
  constructor(state: SerializedFlagState, at: string) {
    this.state = state;
    this.at = at;
    this.definitions = definitionsOf(state.experiments);
    this.stored = state.assignments;
  }

  private assignmentOf(experimentId: string): Assignment | undefined {
    const predicted = this.predicted?.get(experimentId);
    if (predicted) return predicted;
    const { stored } = this;
    const userId = this.state.userId;
    // From the end: the last of duplicate rows wins, as when they are indexed.
    for (let i = stored.length - 1; i >= 0; i--) {
      const a = stored[i] as Assignment;
      if (a.experimentId === experimentId && a.userId === userId) return a;
    }
    return undefined;
  }

  private userFactors(): readonly FactorValue[] {
    if (this.factors === null) {
      const { userId, factors } = this.state;
      this.factors = factors.every((f) => f.userId === userId)
        ? factors
        : factors.filter((f) => f.userId === userId);
    }
    return this.factors;
  }

  evaluate(flag: string, platform?: Platform, metadata?: DeviceMetadata): FlagEvaluation {
    const experiment = this.definitions.byName.get(flag);
    if (!experiment) return defaultEvaluation(flag, 'unknown_flag');
    const assignment = this.assignmentOf(experiment.id);
    let excluded = false;
    if (!assignment && experiment.status === 'running') {
      for (const other of this.definitions.runningByPath.get(experiment.path) ?? []) {
        if (other.id !== experiment.id && this.assignmentOf(other.id)) {
          excluded = true;
          break;
        }
      }
    }
    const result = decideFlag(experiment, {
      userId: this.state.userId,
      assignment,
      excluded,
      holdout: this.state.holdout,
      ...(experiment.targeting.length > 0 ? { factors: this.userFactors() } : {}),
      ...(metadata ? { metadata } : {}),
      ...(platform !== undefined ? { platform } : {}),
    });
    if (!assignment && result.inExperiment && result.variantKey !== null) {
      this.predicted ??= new Map();
      this.predicted.set(experiment.id, {
        userId: this.state.userId,
        experimentId: experiment.id,
        variantKey: result.variantKey,
        assignedAt: this.at,
      });
    }
    return result;
  }
}

/** Options of {@link evaluateFlags}. */
export interface EvaluateFlagsOptions {
  /** The flags to evaluate, in this order. Default: every experiment in the state, in its order. */
  flags?: readonly string[];
  /** The platform targeting and platform lists see (e.g. `web`). */
  platform?: Platform;
  /** Device/session metadata targeting rules read. */
  metadata?: DeviceMetadata;
}

/**
 * Evaluates flags for the user of a {@link SerializedFlagState} (from {@link loadFlagState}, or
 * built by a server from its own cache: the definitions, the user's assignments and factors),
 * statelessly: no client, no store, no timer, nothing to destroy. What a request handler calls
 * once per request. The decisions are exactly the flag client's: sticky stored assignments,
 * exclusion per path, targeting, coverage and bucketing; a new user's variant is predicted by
 * bucketing (not written), and a flag enrolled earlier in `flags` excludes the later ones on
 * its path, as a client evaluating them in that order would. Definitions are indexed once per
 * `experiments` array, so a server that reuses one array across requests pays that once.
 *
 * @example
 * ```ts
 * // Definitions cached per process, the user's rows per request:
 * const flags = evaluateFlags(
 *   { v: 1, userId, savedAt, experiments, assignments, factors },
 *   { flags: ['checkout-button-copy'], platform: 'web' },
 * );
 * flags['checkout-button-copy'].variantKey;
 * ```
 */
export function evaluateFlags(
  state: SerializedFlagState,
  options: EvaluateFlagsOptions = {},
): Record<string, FlagEvaluation> {
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof state.userId !== 'string' ||
    !Array.isArray(state.experiments) ||
    !Array.isArray(state.assignments) ||
    !Array.isArray(state.factors)
  )
    throw new FactoredError(
      'invalid_input',
      'evaluateFlags: expected a flag state ({ userId, experiments, assignments, factors }, e.g. from loadFlagState()).',
      { details: { field: 'state' } },
    );
  const evaluator = new StateEvaluator(state, state.savedAt);
  const out: Record<string, FlagEvaluation> = {};
  const names = options.flags ?? state.experiments.map((experiment) => experiment.name);
  for (const flag of names) {
    // defineProperty: a flag named `__proto__` is a key like any other.
    Object.defineProperty(out, flag, {
      value: evaluator.evaluate(flag, options.platform, options.metadata),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Options of {@link createStaticFlagClient}. */
export interface StaticFlagClientOptions {
  /** The store, exposed as `client.store`; the client never calls it. */
  store: FactoredStore;
  /** The state to evaluate: {@link loadFlagState}'s result. */
  bootstrap: SerializedFlagState;
  /** The platform targeting and platform lists see (e.g. `web`). */
  platform?: Platform;
  /** Device/session metadata targeting rules read. */
  metadata?: DeviceMetadata;
}

/**
 * A {@link FlagClient} that evaluates a bootstrap and does nothing else: no store read or
 * write, no subscription, no timer — so it can be dropped without `destroy()` (which is a
 * no-op). A user with no assignment gets the variant local bucketing gives them, exactly what
 * the live client in the browser will record; such predicted assignments are never
 * serialized. `recordExposure` records nothing and `setUser` is refused. This is what a server
 * render evaluates flags with (`@factoredui/react` uses it on the server).
 *
 * @example
 * ```ts
 * const flags = createStaticFlagClient({ store, bootstrap: await loadFlagState(store, { userId }) });
 * flags.evaluate('checkout-button-copy').variantKey;
 * ```
 */
export function createStaticFlagClient(options: StaticFlagClientOptions): FlagClient {
  const { store, bootstrap } = options;
  assertSerializedState(bootstrap);
  const savedAt = Date.parse(bootstrap.savedAt);
  // Everything below is made on first use: a request that renders one flag pays for one.
  let snapshot: FlagClientSnapshot | null = null;
  let evaluator: StateEvaluator | null = null;
  let memo: Map<string, FlagEvaluation> | null = null;
  const evaluate: FlagClient['evaluate'] = (flag, context) => {
    const cached = context === undefined ? memo?.get(flag) : undefined;
    if (cached) return cached;
    evaluator ??= new StateEvaluator(bootstrap, new Date(savedAt).toISOString());
    const result = evaluator.evaluate(
      flag,
      context?.platform ?? options.platform,
      context?.metadata ?? options.metadata,
    );
    if (context === undefined) {
      memo ??= new Map();
      memo.set(flag, result);
    }
    return result;
  };
  const getSnapshot = (): FlagClientSnapshot => {
    snapshot ??= Object.freeze({
      status: 'ready',
      userId: bootstrap.userId,
      error: null,
      version: 1,
      loadedAt: savedAt,
    });
    return snapshot;
  };
  return {
    store,
    ready: () => Promise.resolve(),
    getSnapshot,
    subscribe: () => () => {},
    evaluate,
    recordExposure: async () => ({ recorded: false }),
    refresh: async () => {},
    async setUser() {
      throw new FactoredError(
        'invalid_input',
        "setUser: a static flag client evaluates its bootstrap's user only; call loadFlagState() for another user.",
      );
    },
    serialize: () => {
      // Predicted assignments are the live client's to record: never serialized.
      const state = buildState(
        bootstrap.userId,
        bootstrap.experiments,
        bootstrap.assignments,
        bootstrap.factors,
        bootstrap.holdout ?? null,
      );
      return {
        v: 1,
        userId: bootstrap.userId,
        savedAt: bootstrap.savedAt,
        experiments: structuredClone([...state.experiments.values()]),
        assignments: structuredClone([...state.assignments.values()]),
        factors: structuredClone([...state.factorsByPath.values()].flat()),
        ...(state.holdout ? { holdout: { ...state.holdout } } : {}),
      };
    },
    destroy: () => {},
  };
}
