import {
  type Assignment,
  assertClusterAssignments,
  assertClusterId,
  assertComponentPath,
  assertFactorFilters,
  assertFactorName,
  assertLifecycleUserId,
  assertRetentionDays,
  assertSpecSlot,
  assertValidEvents,
  assertValidGovernanceLogEntry,
  assertValidMetricPlan,
  assertValidSession,
  assertValidThreshold,
  type ClusterAssignment,
  type ComponentFactorAggregate,
  type ErasureRecord,
  type ErasureRequest,
  type Experiment,
  type ExperimentMetricPlan,
  type ExperimentVariantSummary,
  type Exposure,
  envelopeProblem,
  FactoredError,
  type FactoredEvent,
  type FactoredStore,
  type FactorSnapshotValue,
  type FactorValue,
  type GovernanceLogEntry,
  type GovernanceThreshold,
  type GovernanceVerdict,
  type Holdout,
  type InsertEventsResult,
  isUuid,
  type MetricVariantStatistics,
  normalizeMetricDefinition,
  normalizeTime,
  type PruneResult,
  resolveFactorWindow,
  type Session,
  type StoredMetric,
  type StoredSpec,
  type StoreIdentity,
  type UserDataExport,
  type VariantSufficientStatistics,
  validateExperimentDefinition,
  validateHoldout,
} from '@factoredui/core';
import { mapSqlError } from './errors.js';
import type { SqlGateway } from './gateway.js';

/** Drops `undefined` members so they are not sent (SQL defaults and "no filter" apply). */
function defined<T extends object>(value: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

function optionalTime(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : normalizeTime(value, field);
}

function assertObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FactoredError('invalid_input', `${what} must be an object.`);
  }
}

function assertNonEmptyString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be a non-empty string, got ${JSON.stringify(value)}.`,
      { details: { field } },
    );
  }
}

const VERDICTS: readonly GovernanceVerdict[] = ['conclude', 'continue', 'flag_review'];

function assertVersion(version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new FactoredError(
      'invalid_input',
      `version must be a whole number >= 1, got ${JSON.stringify(version)}.`,
    );
  }
}

/**
 * Builds a complete {@link FactoredStore} over a {@link SqlGateway}: each method validates its
 * input with core's validators, calls the one SQL function of schema `factoredui` that
 * implements it (see `docs/sql-api.md`) and returns its JSON result, which the SQL already
 * shapes like the contract. Errors are mapped to {@link FactoredError} with {@link mapSqlError}.
 *
 * Both transports build on this: `createPostgresStore` (pg / PGlite) and the supabase-js store.
 *
 * @example
 * ```ts
 * const store = createSqlStore({ call: (fn, args) => myRpc(fn, args) });
 * await store.getIdentity();
 * ```
 */
export function createSqlStore(gateway: SqlGateway): FactoredStore {
  const call = async <T>(
    operation: string,
    fn: string,
    args?: Readonly<Record<string, unknown>>,
  ): Promise<T> => {
    try {
      return (await gateway.call(fn, args)) as T;
    } catch (error) {
      throw mapSqlError(error, operation);
    }
  };

  const store: FactoredStore = {
    getIdentity: () => call<StoreIdentity>('getIdentity', 'whoami'),

    // Capture ----------------------------------------------------------------------------------
    async startSession(session) {
      assertValidSession(session);
      return call<Session>('startSession', 'start_session', {
        session: { ...session, startedAt: normalizeTime(session.startedAt, 'startedAt') },
      });
    },
    async getSession(sessionId) {
      if (!isUuid(sessionId)) {
        throw new FactoredError(
          'not_found',
          `session ${JSON.stringify(sessionId)} does not exist (session ids are UUIDs).`,
        );
      }
      return call<Session>('getSession', 'get_session', { session_id: sessionId });
    },
    async listSessions(query = {}) {
      return call<Session[]>('listSessions', 'list_sessions', { query: defined(query) });
    },
    async insertEvents(events) {
      assertValidEvents(events);
      if (events.length === 0) return { inserted: 0, duplicates: 0 };
      const normalized: FactoredEvent[] = events.map((event) => ({
        ...event,
        createdAt: new Date(event.createdAt).toISOString(),
      }));
      return call<InsertEventsResult>('insertEvents', 'insert_events', { events: normalized });
    },
    async listEvents(query = {}) {
      assertObject(query, 'the event query');
      return call<FactoredEvent[]>('listEvents', 'list_events', {
        query: defined({
          ...query,
          since: optionalTime(query.since, 'since'),
          until: optionalTime(query.until, 'until'),
        }),
      });
    },

    // Factors and clusters ---------------------------------------------------------------------
    async getFactors(query = {}) {
      assertFactorFilters(query);
      return call<FactorValue[]>('getFactors', 'get_factors', { query: defined(query) });
    },
    async getComponentAggregates(query = {}) {
      assertFactorFilters(query);
      return call<ComponentFactorAggregate[]>(
        'getComponentAggregates',
        'get_component_aggregates',
        { query: defined(query) },
      );
    },
    async getFactorHistory(query) {
      assertFactorFilters(query);
      assertNonEmptyString(query.userId, 'userId');
      return call<FactorSnapshotValue[]>('getFactorHistory', 'get_factor_history', {
        query: defined({
          ...query,
          since: normalizeTime(query.since, 'since'),
          until: optionalTime(query.until, 'until'),
        }),
      });
    },
    async getClosestSnapshot(query) {
      assertFactorFilters(query);
      assertNonEmptyString(query.userId, 'userId');
      return call<FactorSnapshotValue[]>('getClosestSnapshot', 'get_closest_snapshot', {
        query: defined({
          ...query,
          at: normalizeTime(query.at, 'at'),
          after: optionalTime(query.after, 'after'),
        }),
      });
    },
    async getUserCluster(userId) {
      assertNonEmptyString(userId, 'userId');
      return call<ClusterAssignment | null>('getUserCluster', 'get_user_cluster', {
        user_id: userId,
      });
    },
    async getClusterMembers(clusterId) {
      assertClusterId(clusterId);
      return call<ClusterAssignment[]>('getClusterMembers', 'get_cluster_members', {
        cluster_id: clusterId,
      });
    },

    // Experiments ------------------------------------------------------------------------------
    async insertExperiment(definition) {
      const valid = validateExperimentDefinition(definition);
      return call<Experiment>('insertExperiment', 'insert_experiment', { definition: valid });
    },
    async updateExperiment(id, update) {
      assertObject(update, 'the experiment update');
      if (!isUuid(id)) throw new FactoredError('not_found', `experiment ${id} does not exist.`);
      // Core validates the merged definition; the SQL update is a compare-and-set on the
      // status, so a concurrent start between this read and the write is still a conflict.
      const current = await store.getExperiment(id);
      if (current.status !== update.expectedStatus) {
        throw new FactoredError(
          'conflict',
          `experiment "${current.name}" is ${current.status}, not ${update.expectedStatus}; re-read it and retry.`,
          { details: { experimentId: id, status: current.status } },
        );
      }
      const {
        id: _id,
        status: _s,
        winner: _w,
        createdAt: _c,
        startedAt: _b,
        endedAt: _e,
        ...base
      } = current;
      const definition = validateExperimentDefinition({ ...base, ...update.changes });
      return call<Experiment>('updateExperiment', 'update_experiment', {
        experiment_id: id,
        // `layer: null` explicitly: JSON drops an absent layer, and SQL keeps absent fields.
        patch: {
          expectedStatus: update.expectedStatus,
          changes: { ...definition, layer: definition.layer ?? null },
        },
      });
    },
    async setHoldout(holdout) {
      const valid = validateHoldout(holdout);
      return call<Holdout>('setHoldout', 'set_holdout', { holdout: valid });
    },
    async getHoldout() {
      return call<Holdout | null>('getHoldout', 'get_holdout', {});
    },
    async getExperiment(idOrName) {
      assertNonEmptyString(idOrName, 'idOrName');
      return call<Experiment>('getExperiment', 'get_experiment', { id_or_name: idOrName });
    },
    async listExperiments(query = {}) {
      return call<Experiment[]>('listExperiments', 'list_experiments', { query: defined(query) });
    },
    async transitionExperiment(id, change) {
      assertObject(change, 'the transition');
      if (!isUuid(id)) throw new FactoredError('not_found', `experiment ${id} does not exist.`);
      return call<Experiment>('transitionExperiment', 'transition_experiment', {
        experiment_id: id,
        change: defined(change),
      });
    },
    async recordAssignment(assignment) {
      assertObject(assignment, 'the assignment');
      assertNonEmptyString(assignment.userId, 'userId');
      return call<Assignment>('recordAssignment', 'record_assignment', {
        assignment: defined({
          userId: assignment.userId,
          experimentId: assignment.experimentId,
          variantKey: assignment.variantKey,
          assignedAt: optionalTime(assignment.assignedAt, 'assignedAt'),
        }),
      });
    },
    async listAssignments(query = {}) {
      return call<Assignment[]>('listAssignments', 'list_assignments', { query: defined(query) });
    },
    async recordExposure(exposure) {
      assertObject(exposure, 'the exposure');
      assertNonEmptyString(exposure.userId, 'userId');
      assertNonEmptyString(exposure.sessionId, 'sessionId');
      return call<{ recorded: boolean }>('recordExposure', 'record_exposure', {
        exposure: { ...exposure, exposedAt: normalizeTime(exposure.exposedAt, 'exposedAt') },
      });
    },
    async listExposures(query = {}) {
      return call<Exposure[]>('listExposures', 'list_exposures', { query: defined(query) });
    },
    async getExperimentSummaries(query = {}) {
      return call<ExperimentVariantSummary[]>(
        'getExperimentSummaries',
        'get_experiment_summaries',
        {
          query: defined({
            ...query,
            createdAfter: optionalTime(query.createdAfter, 'createdAfter'),
            createdBefore: optionalTime(query.createdBefore, 'createdBefore'),
          }),
        },
      );
    },
    async getExperimentSummary(experimentId) {
      if (!isUuid(experimentId)) {
        throw new FactoredError('not_found', `experiment ${experimentId} does not exist.`);
      }
      return call<ExperimentVariantSummary[]>('getExperimentSummary', 'get_experiment_summary', {
        experiment_id: experimentId,
      });
    },

    // Governance -------------------------------------------------------------------------------
    async upsertThreshold(threshold) {
      const valid = assertValidThreshold(threshold);
      return call<GovernanceThreshold>('upsertThreshold', 'upsert_threshold', {
        threshold: valid,
      });
    },
    async listThresholds(query = {}) {
      return call<GovernanceThreshold[]>('listThresholds', 'list_thresholds', {
        query: defined(query),
      });
    },
    async defineMetric(definition) {
      const normalized = normalizeMetricDefinition(definition);
      return call<StoredMetric>('defineMetric', 'define_metric', { definition: normalized });
    },
    async listMetrics(query = {}) {
      assertObject(query, 'the metric query');
      if (query.name !== undefined) assertNonEmptyString(query.name, 'name');
      return call<StoredMetric[]>('listMetrics', 'list_metrics', { query: defined(query) });
    },
    async setMetricPlan(experimentId, plan) {
      assertValidMetricPlan(plan);
      if (!isUuid(experimentId))
        throw new FactoredError('not_found', `experiment ${experimentId} does not exist.`, {
          details: { experimentId },
        });
      return call<ExperimentMetricPlan>('setMetricPlan', 'set_metric_plan', {
        experiment_id: experimentId,
        plan,
      });
    },
    async getMetricPlan(experimentId) {
      assertNonEmptyString(experimentId, 'experimentId');
      return call<ExperimentMetricPlan | null>('getMetricPlan', 'get_metric_plan', {
        experiment_id: experimentId,
      });
    },
    async getMetricStatistics(query) {
      assertObject(query, 'the query');
      assertNonEmptyString(query.experimentId, 'experimentId');
      assertNonEmptyString(query.metric, 'metric');
      if (
        query.version !== undefined &&
        (!Number.isSafeInteger(query.version) || query.version < 1)
      )
        throw new FactoredError(
          'invalid_input',
          `version must be a positive integer, got ${JSON.stringify(query.version)}.`,
        );
      return call<MetricVariantStatistics[]>('getMetricStatistics', 'metric_statistics', {
        query: defined({ ...query, at: normalizeTime(query.at, 'at') }),
      });
    },
    async getSufficientStatistics(query) {
      assertObject(query, 'the query');
      assertFactorName(query.factor, 'factor');
      if (query.path !== undefined) assertComponentPath(query.path, 'path');
      return call<VariantSufficientStatistics[]>(
        'getSufficientStatistics',
        'sufficient_statistics',
        { query: defined({ ...query, at: normalizeTime(query.at, 'at') }) },
      );
    },
    async releaseStatistics(options) {
      assertObject(options, 'the release options');
      return call<{ released: number; aggregates: number }>(
        'releaseStatistics',
        'release_statistics',
        {
          release: { at: normalizeTime(options.at, 'at') },
        },
      );
    },
    async appendGovernanceLog(entry) {
      assertValidGovernanceLogEntry(entry);
      return call<GovernanceLogEntry>('appendGovernanceLog', 'append_governance_log', {
        entry: { ...entry, evaluatedAt: normalizeTime(entry.evaluatedAt, 'evaluatedAt') },
      });
    },
    async listGovernanceLog(query = {}) {
      if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit > 0)) {
        throw new FactoredError(
          'invalid_input',
          `limit must be a positive integer, got ${String(query.limit)}.`,
        );
      }
      if (query.verdict !== undefined && !VERDICTS.includes(query.verdict)) {
        throw new FactoredError(
          'invalid_input',
          `verdict must be one of ${VERDICTS.join(', ')}, got ${JSON.stringify(query.verdict)}.`,
        );
      }
      return call<GovernanceLogEntry[]>('listGovernanceLog', 'list_governance_log', {
        query: defined(query),
      });
    },

    // Specs ------------------------------------------------------------------------------------
    async saveSpec(input) {
      assertObject(input, 'the spec');
      assertSpecSlot(input.name, input.platform);
      const problem = envelopeProblem(input.envelope);
      if (problem) throw new FactoredError('invalid_input', `saveSpec: ${problem}.`);
      // The database checks the binding again (and the version order) for callers that skip us.
      return call<StoredSpec>('saveSpec', 'save_spec', { input });
    },
    async activateSpec(input) {
      assertSpecSlot(input.name, input.platform);
      assertVersion(input.version);
      return call<StoredSpec>('activateSpec', 'activate_spec', { input });
    },
    async getActiveSpec(input) {
      assertSpecSlot(input.name, input.platform);
      return call<StoredSpec | null>('getActiveSpec', 'get_active_spec', { input });
    },
    async getSpec(input) {
      assertSpecSlot(input.name, input.platform);
      assertVersion(input.version);
      return call<StoredSpec>('getSpec', 'get_spec', { input });
    },
    async listSpecVersions(input) {
      assertSpecSlot(input.name, input.platform);
      return call<StoredSpec[]>('listSpecVersions', 'list_spec_versions', { input });
    },

    // Maintenance ------------------------------------------------------------------------------
    async recomputeFactors(options) {
      const window = resolveFactorWindow(options);
      return call<{ users: number; values: number }>('recomputeFactors', 'refresh_factors', {
        as_of: window.asOf,
        window_ms: window.windowMs,
      });
    },
    async snapshotFactors(options) {
      const window = resolveFactorWindow(options);
      return call<{ values: number; created: boolean }>('snapshotFactors', 'snapshot_factors', {
        as_of: window.asOf,
        window_ms: window.windowMs,
      });
    },
    async storeClusters(assignments) {
      assertClusterAssignments(assignments);
      await call<{ stored: number }>('storeClusters', 'store_clusters', {
        assignments: assignments.map((a) => ({
          ...a,
          computedAt: normalizeTime(a.computedAt, 'computedAt'),
        })),
      });
    },

    // Data lifecycle ---------------------------------------------------------------------------
    async exportUser(userId) {
      assertLifecycleUserId(userId);
      return call<UserDataExport>('exportUser', 'export_user', { user_id: userId });
    },
    async eraseUser(userId) {
      assertLifecycleUserId(userId);
      return call<ErasureRecord>('eraseUser', 'erase_user', { user_id: userId });
    },
    async listErasures(query = {}) {
      assertObject(query, 'the erasure query');
      if (query.userId !== undefined) assertLifecycleUserId(query.userId);
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
        throw new FactoredError(
          'invalid_input',
          `limit must be a positive integer, got ${JSON.stringify(query.limit)}.`,
          { details: { field: 'limit' } },
        );
      }
      return call<ErasureRecord[]>('listErasures', 'list_erasures', { query: defined(query) });
    },
    async pruneEvents(options = {}) {
      assertObject(options, 'the prune options');
      if (options.retentionDays !== undefined) assertRetentionDays(options.retentionDays);
      return call<PruneResult>('pruneEvents', 'prune_events', {
        options: defined({ ...options, asOf: optionalTime(options.asOf, 'asOf') }),
      });
    },
    async requestErasure() {
      return call<ErasureRequest>('requestErasure', 'request_erasure');
    },
    async processErasureRequests(options = {}) {
      assertObject(options, 'the options');
      if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
        throw new FactoredError(
          'invalid_input',
          `limit must be a positive integer, got ${JSON.stringify(options.limit)}.`,
          { details: { field: 'limit' } },
        );
      }
      return call<ErasureRecord[]>('processErasureRequests', 'process_erasure_requests', {
        options: defined(options),
      });
    },
  };

  if (gateway.subscribe) {
    const subscribe = gateway.subscribe.bind(gateway);
    store.subscribe = (topic, listener) => subscribe(topic, listener);
  }
  return store;
}
