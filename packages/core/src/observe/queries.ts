import type { ComponentPath } from '../capture/types.js';
import { FactoredError } from '../errors.js';
import type { ExperimentStatus, ExperimentVariantSummary } from '../experiments/types.js';
import { queryComponentFactors, queryFactorHistory, queryFactors } from '../factors/index.js';
import type {
  ComponentFactorAggregate,
  FactorName,
  FactorSnapshotValue,
  FactorValue,
} from '../factors/types.js';
import type { ExperimentMetricPlan } from '../governance/goals.js';
import {
  type GovernanceCheckOptions,
  queryExperimentResults,
  queryRecentGovernanceLog,
  type ResultFactor,
} from '../governance/index.js';
import type {
  ExperimentEvaluation,
  GovernanceLogEntry,
  GovernanceVerdict,
} from '../governance/types.js';
import type { StoredMetric } from '../metrics/types.js';
import type { FactoredStore } from '../store/contract.js';
import type { StoreChange } from '../store/realtime.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { type TimeInput, toIsoString } from '../util/time.js';
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

/** Current factor values of a user (`queryFactors`; live on the `factors` topic). */
export function factorsQuery(input: FactorsQueryInput = {}): StoreQuery<FactorValue[]> {
  return {
    key: ['factors', input.userId ?? null, input.path ?? null, sorted(input.factors)],
    topics: ['factors'],
    fetch: async (store) =>
      queryFactors(
        store,
        await resolveUserId(store, input.userId, 'factorsQuery'),
        input.path,
        input.factors ? { factors: input.factors } : undefined,
      ),
  };
}

/** Which aggregates {@link componentFactorsQuery} reads. */
export interface ComponentFactorsQueryInput {
  path?: ComponentPath;
  factors?: readonly FactorName[];
}

/**
 * Factor aggregates of a component path (`queryComponentFactors`), or of every path when
 * `path` is omitted; never over fewer than 5 users. Live on `factors`.
 */
export function componentFactorsQuery(
  input: ComponentFactorsQueryInput = {},
): StoreQuery<ComponentFactorAggregate[]> {
  const { path, factors } = input;
  return {
    key: ['componentFactors', path ?? null, sorted(factors)],
    topics: ['factors'],
    fetch: (store) =>
      path === undefined
        ? store.getComponentAggregates(factors ? { factors } : {})
        : queryComponentFactors(store, path, factors ? { factors } : undefined),
  };
}

/** Which snapshots {@link factorHistoryQuery} reads. */
export interface FactorHistoryQueryInput extends FactorsQueryInput {
  /** Inclusive lower bound. */
  since: TimeInput;
  /** Optional inclusive upper bound. */
  until?: TimeInput;
}

/** Snapshot values of a user, oldest first (`queryFactorHistory`; live on `factors`). */
export function factorHistoryQuery(
  input: FactorHistoryQueryInput,
): StoreQuery<FactorSnapshotValue[]> {
  const since = toIsoString(input.since, 'factorHistoryQuery: since');
  const until = input.until === undefined ? undefined : toIsoString(input.until, 'until');
  return {
    key: [
      'factorHistory',
      input.userId ?? null,
      input.path ?? null,
      sorted(input.factors),
      since,
      until ?? null,
    ],
    topics: ['factors'],
    fetch: async (store) =>
      queryFactorHistory(
        store,
        await resolveUserId(store, input.userId, 'factorHistoryQuery'),
        input.path,
        since,
        {
          ...(input.factors ? { factors: input.factors } : {}),
          ...(until === undefined ? {} : { until }),
        },
      ),
  };
}

/** Options of {@link experimentResultsQuery}. */
export interface ExperimentResultsQueryInput extends Omit<GovernanceCheckOptions, 'at'> {
  /** Factors to report (default: the thresholded ones, else every directed factor). */
  factors?: readonly ResultFactor[];
  /** Evaluation time. Default: now, at each fetch (so live updates see new snapshots). */
  at?: TimeInput;
}

/**
 * Per-factor lifts of an experiment's treatments over control, with intervals and p-values
 * (`queryExperimentResults`). Live on `factors`, `assignments`, `experiments` and
 * `governance` (thresholds).
 */
export function experimentResultsQuery(
  experimentId: string,
  input: ExperimentResultsQueryInput = {},
): StoreQuery<ExperimentEvaluation> {
  const { at, factors, ...settings } = input;
  const atIso = at === undefined ? null : toIsoString(at, 'experimentResultsQuery: at');
  // Keys hold plain JSON only: drop `undefined` members the way JSON does.
  const settingsKey = JSON.parse(JSON.stringify(settings)) as JsonObject;
  const factorsKey = factors ? (JSON.parse(JSON.stringify(factors)) as JsonValue) : null;
  return {
    key: ['experimentResults', experimentId, atIso, factorsKey, settingsKey],
    topics: ['factors', 'assignments', 'experiments', 'governance'],
    fetch: (store) =>
      queryExperimentResults(store, experimentId, {
        ...settings,
        ...(atIso === null ? {} : { at: atIso }),
        ...(factors ? { factors } : {}),
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

/**
 * The newest `limit` (default 20) governance log entries over all experiments
 * (`queryRecentGovernanceLog`; live on `governance`).
 */
export function recentGovernanceLogQuery(limit = 20): StoreQuery<GovernanceLogEntry[]> {
  return {
    key: ['recentGovernanceLog', limit],
    topics: ['governance'],
    fetch: (store) => queryRecentGovernanceLog(store, limit),
  };
}

/** Which metric definitions {@link metricsQuery} reads. */
export interface MetricsQueryInput {
  name?: string;
  allVersions?: boolean;
}

/** Metric definitions (latest versions, or every version), live on `governance`. */
export function metricsQuery(input: MetricsQueryInput = {}): StoreQuery<StoredMetric[]> {
  return {
    key: ['metrics', input.name ?? null, input.allVersions ?? false],
    topics: ['governance'],
    fetch: (store) =>
      store.listMetrics({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.allVersions ? { allVersions: true } : {}),
      }),
  };
}

/** The metric plan (primary metric and guardrails) of an experiment, live on `governance`. */
export function metricPlanQuery(experimentId: string): StoreQuery<ExperimentMetricPlan | null> {
  return {
    key: ['metricPlan', experimentId],
    topics: ['governance'],
    isAffectedBy: (change: StoreChange) => change.key === undefined || change.key === experimentId,
    fetch: (store) => store.getMetricPlan(experimentId),
  };
}
