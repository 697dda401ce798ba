import type { Platform } from '../capture/types.js';
import { FactoredError, isFactoredError } from '../errors.js';
import type { FactoredStore } from '../store/contract.js';
import {
  assertSerializedState,
  buildState,
  evaluateIn,
  type FlagClient,
  type FlagClientSnapshot,
  newAssignment,
  readFlagData,
  type SerializedFlagState,
} from './client.js';
import type { DeviceMetadata, FlagEvaluation } from './types.js';

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
    const state = buildState(userId, data.experiments, data.assignments, data.factors);
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
  };
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

const NO_REFUSALS: ReadonlySet<string> = new Set();

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
  const state = buildState(
    bootstrap.userId,
    bootstrap.experiments,
    bootstrap.assignments,
    bootstrap.factors,
  );
  const savedAt = Date.parse(bootstrap.savedAt);
  const snapshot: FlagClientSnapshot = Object.freeze({
    status: 'ready',
    userId: bootstrap.userId,
    error: null,
    version: 1,
    loadedAt: savedAt,
  });
  /** Assignments predicted here: the live client records them, so they are not serialized. */
  const predicted = new Set<string>();
  const memo = new Map<string, FlagEvaluation>();
  const evaluate: FlagClient['evaluate'] = (flag, context) => {
    const cached = context === undefined ? memo.get(flag) : undefined;
    if (cached) return cached;
    const result = evaluateIn(
      state,
      flag,
      NO_REFUSALS,
      context?.platform ?? options.platform,
      context?.metadata ?? options.metadata,
    );
    const local = newAssignment(state, result, () => savedAt);
    if (local) {
      // Sticky, like the live client: it also excludes the other experiments on the path.
      state.assignments.set(local.experimentId, local);
      predicted.add(local.experimentId);
    }
    if (context === undefined) memo.set(flag, result);
    return result;
  };
  return {
    store,
    ready: () => Promise.resolve(),
    getSnapshot: () => snapshot,
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
    serialize: () => ({
      v: 1,
      userId: bootstrap.userId,
      savedAt: bootstrap.savedAt,
      experiments: structuredClone([...state.experiments.values()]),
      assignments: structuredClone(
        [...state.assignments.values()].filter((a) => !predicted.has(a.experimentId)),
      ),
      factors: structuredClone([...state.factorsByPath.values()].flat()),
    }),
    destroy: () => {},
  };
}
