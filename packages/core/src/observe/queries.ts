import type { ComponentPath } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import type { ExperimentStatus, ExperimentVariantSummary } from '../experiments/types.js';
import type {
  ComponentFactorAggregate,
  FactorName,
  FactorSnapshotValue,
  FactorValue,
} from '../factors/types.js';
import type { GovernanceLogEntry, GovernanceVerdict } from '../governance/types.js';
import type { FactoredStore } from '../store/contract.js';
import type { StoreChange } from '../store/realtime.js';
import type { StoreQuery } from './types.js';

/** The user a per-user query reads: `userId` when given, else the store's own user. */
async function resolveUserId(store: FactoredStore, userId: string | undefined, what: string) {
  if (userId !== undefined) return userId;
  const identity = await store.getIdentity();
  if (identity.userId === null) {
    throw new FactoredError(
      'invalid_input',
      `${what}: the store acts as ${identity.role} and has no user of its own; pass { userId }.`,
    );
  }
  return identity.userId;
}

const sorted = (names: readonly string[] | undefined) => (names ? [...names].sort() : null);

/** Which factors of which user and path {@link factorsQuery} reads. */
export interface FactorsQueryInput {
  /** Default: the store's own user. */
  userId?: string;
  path?: ComponentPath;
  factors?: readonly FactorName[];
}

/** Current factor values of a user (live on the `factors` topic). */
export function factorsQuery(input: FactorsQueryInput = {}): StoreQuery<FactorValue[]> {
  return {
    key: ['factors', input.userId ?? null, input.path ?? null, sorted(input.factors)],
    topics: ['factors'],
    fetch: async (store) =>
      store.getFactors({
        userId: await resolveUserId(store, input.userId, 'factorsQuery'),
        ...(input.path !== undefined ? { path: input.path } : {}),
        ...(input.factors !== undefined ? { factors: input.factors } : {}),
      }),
  };
}

/** Which aggregates {@link componentFactorsQuery} reads. */
export interface ComponentFactorsQueryInput {
  path?: ComponentPath;
  factors?: readonly FactorName[];
}

/** Factor aggregates per component path, never over fewer than 5 users (live on `factors`). */
export function componentFactorsQuery(
  input: ComponentFactorsQueryInput = {},
): StoreQuery<ComponentFactorAggregate[]> {
  return {
    key: ['componentFactors', input.path ?? null, sorted(input.factors)],
    topics: ['factors'],
    fetch: (store) =>
      store.getComponentAggregates({
        ...(input.path !== undefined ? { path: input.path } : {}),
        ...(input.factors !== undefined ? { factors: input.factors } : {}),
      }),
  };
}

/** Which snapshots {@link factorHistoryQuery} reads. */
export interface FactorHistoryQueryInput extends FactorsQueryInput {
  /** Inclusive lower bound, ISO 8601. */
  since: string;
  /** Optional upper bound, ISO 8601. */
  until?: string;
}

/** Snapshot values of a user over time, ordered by `snapshotAt` (live on `factors`). */
export function factorHistoryQuery(
  input: FactorHistoryQueryInput,
): StoreQuery<FactorSnapshotValue[]> {
  return {
    key: [
      'factorHistory',
      input.userId ?? null,
      input.path ?? null,
      sorted(input.factors),
      input.since,
      input.until ?? null,
    ],
    topics: ['factors'],
    fetch: async (store) =>
      store.getFactorHistory({
        userId: await resolveUserId(store, input.userId, 'factorHistoryQuery'),
        since: input.since,
        ...(input.until !== undefined ? { until: input.until } : {}),
        ...(input.path !== undefined ? { path: input.path } : {}),
        ...(input.factors !== undefined ? { factors: input.factors } : {}),
      }),
  };
}

/** Which experiments {@link experimentSummariesQuery} summarizes. */
export interface ExperimentSummariesQueryInput {
  status?: readonly ExperimentStatus[];
  path?: ComponentPath;
}

/**
 * One row per variant of every matching experiment: assigned and exposed users (live on
 * `experiments` and `assignments`).
 */
export function experimentSummariesQuery(
  input: ExperimentSummariesQueryInput = {},
): StoreQuery<ExperimentVariantSummary[]> {
  return {
    key: ['experimentSummaries', sorted(input.status), input.path ?? null],
    topics: ['experiments', 'assignments'],
    fetch: (store) =>
      store.getExperimentSummaries({
        ...(input.status !== undefined ? { status: input.status } : {}),
        ...(input.path !== undefined ? { path: input.path } : {}),
      }),
  };
}

/** Which log entries {@link governanceLogQuery} reads. */
export interface GovernanceLogQueryInput {
  experimentId?: string;
  verdict?: GovernanceVerdict;
  limit?: number;
}

/** Governance log entries, newest first (live on `governance`). */
export function governanceLogQuery(
  input: GovernanceLogQueryInput = {},
): StoreQuery<GovernanceLogEntry[]> {
  const { experimentId } = input;
  return {
    key: ['governanceLog', experimentId ?? null, input.verdict ?? null, input.limit ?? null],
    topics: ['governance'],
    // A change names its experiment when the store knows it; others may still be ours.
    ...(experimentId !== undefined
      ? {
          isAffectedBy: (change: StoreChange) =>
            change.key === undefined || change.key === experimentId,
        }
      : {}),
    fetch: (store) =>
      store.listGovernanceLog({
        ...(experimentId !== undefined ? { experimentId } : {}),
        ...(input.verdict !== undefined ? { verdict: input.verdict } : {}),
        ...(input.limit !== undefined ? { limit: input.limit } : {}),
      }),
  };
}

/** The newest `limit` (default 50) governance log entries over all experiments (live). */
export function recentGovernanceLogQuery(limit = 50): StoreQuery<GovernanceLogEntry[]> {
  return governanceLogQuery({ limit });
}
