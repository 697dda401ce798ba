import {
  type Assignment,
  createRandomId,
  type DashboardCapability,
  decideAssignment,
  type Experiment,
  type ExperimentCapability,
  type ExperimentDefinition,
  type ExperimentSummaryFilters,
  type ExperimentVariantSummary,
  type Exposure,
  FactoredError,
  type FactorValue,
  findLayerOverlap,
  type Holdout,
  layerOverlapError,
  validateExperimentDefinition,
  validateHoldout,
} from '@factoredui/core';
import type { Access } from '../access.js';
import type { MemoryContext } from '../context.js';
import { key, type MemoryTables } from '../database.js';
import { orderBy } from '../order.js';

const clone = <T>(value: T): T => structuredClone(value);

const iso = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || !Number.isFinite(ms)) {
    throw new FactoredError(
      'invalid_input',
      `${field} must be an ISO 8601 time, got ${JSON.stringify(value)}.`,
    );
  }
  return new Date(ms).toISOString();
};

const requireId = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value.length === 0)
    throw new FactoredError('invalid_input', `${field} is required (a non-empty string).`);
  return value;
};

const byCreation = orderBy<Experiment>(
  (e) => e.createdAt,
  (e) => e.id,
);

function notFound(idOrName: string): FactoredError {
  return new FactoredError(
    'not_found',
    `experiment ${JSON.stringify(idOrName)} does not exist; create it with createExperiment first.`,
  );
}

function findExperiment(tables: MemoryTables, idOrName: string): Experiment | undefined {
  const byId = tables.experiments.get(idOrName);
  if (byId) return byId;
  for (const experiment of tables.experiments.values()) {
    if (experiment.name === idOrName) return experiment;
  }
  return undefined;
}

/** Definitions are invisible to the anon role (as under row-level security). */
function canReadDefinitions(access: Access): boolean {
  return access.identity.role !== 'anon';
}

function summarize(
  tables: MemoryTables,
  access: Access,
  experiment: Experiment,
): ExperimentVariantSummary[] {
  const assigned = new Map<string, Set<string>>();
  const exposed = new Map<string, Set<string>>();
  for (const a of tables.assignments.values()) {
    if (a.experimentId !== experiment.id || !access.canSee(a.userId)) continue;
    const set = assigned.get(a.variantKey) ?? new Set<string>();
    assigned.set(a.variantKey, set);
    set.add(a.userId);
  }
  for (const e of tables.exposures.values()) {
    if (e.experimentId !== experiment.id || !access.canSee(e.userId)) continue;
    const set = exposed.get(e.variantKey) ?? new Set<string>();
    exposed.set(e.variantKey, set);
    set.add(e.userId);
  }
  return experiment.variants.map((variant) => ({
    experimentId: experiment.id,
    experimentName: experiment.name,
    path: experiment.path,
    status: experiment.status,
    winner: experiment.winner,
    createdAt: experiment.createdAt,
    startedAt: experiment.startedAt,
    endedAt: experiment.endedAt,
    variantKey: variant.key,
    weight: variant.weight,
    assignedUsers: assigned.get(variant.key)?.size ?? 0,
    exposedUsers: exposed.get(variant.key)?.size ?? 0,
  }));
}

function matchesFilters(experiment: Experiment, filters: ExperimentSummaryFilters): boolean {
  if (filters.status && !filters.status.includes(experiment.status)) return false;
  if (filters.path !== undefined && experiment.path !== filters.path) return false;
  if (
    filters.createdAfter !== undefined &&
    experiment.createdAt < iso(filters.createdAfter, 'createdAfter')
  )
    return false;
  if (
    filters.createdBefore !== undefined &&
    experiment.createdAt > iso(filters.createdBefore, 'createdBefore')
  )
    return false;
  return true;
}

const HOLDOUT_SETTING = 'holdout';

// Creation times strictly increase (across every store of the process), so "ordered by
// createdAt" is insertion order even for experiments created within one millisecond.
let lastCreated = 0;
function creationTime(): string {
  lastCreated = Math.max(Date.now(), lastCreated + 1);
  return new Date(lastCreated).toISOString();
}

/** Experiments, assignments, exposures and dashboard summaries of the memory store. */
export function experimentsCapability({
  db,
  access: getAccess,
}: MemoryContext): ExperimentCapability & DashboardCapability {
  /** The user's current factor values on `path`: what factor targeting rules read. */
  const userFactors = (userId: string, path: string): FactorValue[] => {
    const values: FactorValue[] = [];
    for (const value of db.tables.factors.values()) {
      if (value.userId === userId && value.path === path) values.push(value);
    }
    return values;
  };

  /** The holdout, kept in the settings table (so it persists with the rest). */
  const storedHoldout = (): Holdout | null => {
    const text = db.tables.settings.get(HOLDOUT_SETTING);
    return text === undefined ? null : (JSON.parse(text) as Holdout);
  };

  const nameTaken = (tables: MemoryTables, name: string, exceptId?: string) => {
    for (const experiment of tables.experiments.values()) {
      if (experiment.name === name && experiment.id !== exceptId) return true;
    }
    return false;
  };

  return {
    async insertExperiment(definition) {
      const access = await getAccess();
      access.assertService('insertExperiment');
      const valid = validateExperimentDefinition(definition);
      if (nameTaken(db.tables, valid.name)) {
        throw new FactoredError(
          'conflict',
          `an experiment named "${valid.name}" already exists; experiment names are unique, pick another.`,
          { details: { field: 'name' } },
        );
      }
      const overlap = valid.layer && findLayerOverlap(valid.layer, db.tables.experiments.values());
      if (valid.layer && overlap) throw layerOverlapError(valid.layer, overlap);
      const experiment: Experiment = {
        ...valid,
        id: createRandomId(),
        status: 'draft',
        winner: null,
        createdAt: creationTime(),
        startedAt: null,
        endedAt: null,
      };
      db.write('experiments', (t) => t.experiments.set(experiment.id, experiment), experiment.id);
      return clone(experiment);
    },

    async updateExperiment(id, { expectedStatus, changes }) {
      const access = await getAccess();
      access.assertService('updateExperiment');
      const current = db.tables.experiments.get(id);
      if (!current) throw notFound(id);
      if (current.status !== expectedStatus) {
        throw new FactoredError(
          'conflict',
          `experiment "${current.name}" is ${current.status}, not ${expectedStatus}; re-read it and retry.`,
          { details: { experimentId: id, status: current.status } },
        );
      }
      const definition: ExperimentDefinition = validateExperimentDefinition({
        ...current,
        ...clone(changes),
      });
      if (definition.name !== current.name && nameTaken(db.tables, definition.name, id)) {
        throw new FactoredError(
          'conflict',
          `an experiment named "${definition.name}" already exists; pick another name.`,
          { details: { field: 'name' } },
        );
      }
      const overlap =
        definition.layer && findLayerOverlap(definition.layer, db.tables.experiments.values(), id);
      if (definition.layer && overlap) throw layerOverlapError(definition.layer, overlap);
      const { layer: _previous, ...unlayered } = current;
      const updated: Experiment = { ...unlayered, ...definition };
      db.write('experiments', (t) => t.experiments.set(id, updated), id);
      return clone(updated);
    },

    async setHoldout(input) {
      const access = await getAccess();
      access.assertService('setHoldout');
      const { share, seed } = validateHoldout(input);
      const holdout: Holdout = { share, seed, updatedAt: new Date().toISOString() };
      db.write(
        'experiments',
        (t) => t.settings.set(HOLDOUT_SETTING, JSON.stringify(holdout)),
        HOLDOUT_SETTING,
      );
      return clone(holdout);
    },

    async getHoldout() {
      const access = await getAccess();
      if (!canReadDefinitions(access)) return null;
      return storedHoldout();
    },

    async getExperiment(idOrName) {
      const access = await getAccess();
      if (!canReadDefinitions(access)) throw notFound(idOrName);
      const experiment = findExperiment(db.tables, idOrName);
      if (!experiment) throw notFound(idOrName);
      return clone(experiment);
    },

    async listExperiments(query = {}) {
      const access = await getAccess();
      if (!canReadDefinitions(access)) return [];
      const result = [...db.tables.experiments.values()]
        .filter(
          (e) =>
            (!query.status || query.status.includes(e.status)) &&
            (query.path === undefined || e.path === query.path),
        )
        .sort(byCreation);
      return clone(result);
    },

    async transitionExperiment(id, change) {
      const access = await getAccess();
      access.assertService('transitionExperiment');
      const current = db.tables.experiments.get(id);
      if (!current) throw notFound(id);
      if (current.status !== change.from) {
        throw new FactoredError(
          'conflict',
          `experiment "${current.name}" is ${current.status}, not ${change.from}; it was changed concurrently, re-read it.`,
          { details: { experimentId: id, status: current.status, to: change.to } },
        );
      }
      const at = new Date().toISOString();
      const updated: Experiment = {
        ...current,
        status: change.to,
        ...(change.winner !== undefined ? { winner: change.winner } : {}),
        ...(change.to === 'running' ? { startedAt: at } : {}),
        ...(change.to === 'concluded' || change.to === 'stopped' ? { endedAt: at } : {}),
      };
      db.write('experiments', (t) => t.experiments.set(id, updated), id);
      return clone(updated);
    },

    async recordAssignment(request) {
      const access = await getAccess();
      const userId = requireId(request?.userId, 'assignment.userId');
      access.assertCanWrite(userId, 'recordAssignment');
      const experimentId = requireId(request.experimentId, 'assignment.experimentId');
      const experiment = db.tables.experiments.get(experimentId);
      if (!experiment) throw notFound(experimentId);
      const requested = request.variantKey;
      if (requested !== undefined && !experiment.variants.some((v) => v.key === requested)) {
        throw new FactoredError(
          'invalid_input',
          `assignment.variantKey: "${requested}" is not a variant of "${experiment.name}".`,
          { details: { field: 'variantKey' } },
        );
      }
      // Only the service role chooses the time (imports, backfills); a user store gets now.
      const givenAt =
        request.assignedAt === undefined
          ? undefined
          : iso(request.assignedAt, 'assignment.assignedAt');
      const assignedAt = (access.isService ? givenAt : undefined) ?? new Date().toISOString();
      const rowKey = key(userId, experimentId);
      // Everything below runs without an await: the check and the insert are one atomic step.
      const existing = db.tables.assignments.get(rowKey);
      if (existing) return clone(existing);
      if (experiment.status !== 'running') {
        throw new FactoredError(
          'conflict',
          `experiment "${experiment.name}" is ${experiment.status}; only running experiments take new assignments.`,
          { details: { experimentId, status: experiment.status } },
        );
      }
      for (const otherExperiment of db.tables.experiments.values()) {
        if (
          otherExperiment.id !== experimentId &&
          otherExperiment.status === 'running' &&
          otherExperiment.path === experiment.path &&
          db.tables.assignments.has(key(userId, otherExperiment.id))
        ) {
          throw new FactoredError(
            'conflict',
            `user ${userId} is already in running experiment "${otherExperiment.name}" on ${experiment.path}; one running experiment per user and component path.`,
            { details: { experimentId: otherExperiment.id } },
          );
        }
      }
      let variantKey = requested;
      if (!access.isService || variantKey === undefined) {
        const decision = decideAssignment(
          experiment,
          userId,
          userFactors(userId, experiment.path),
          storedHoldout(),
        );
        if (decision.variant === null) {
          throw new FactoredError(
            'conflict',
            `user ${userId} is not enrolled in "${experiment.name}" (${decision.cause}); the store decides enrolment and variant.`,
            { details: { experimentId, cause: decision.cause } },
          );
        }
        if (variantKey !== undefined && variantKey !== decision.variant.key) {
          throw new FactoredError(
            'conflict',
            `"${variantKey}" is not the variant the store assigns user ${userId} in "${experiment.name}"; ask without variantKey (or reload the definitions) and use the returned assignment.`,
            { details: { experimentId, variantKey: decision.variant.key } },
          );
        }
        variantKey = decision.variant.key;
      }
      const stored: Assignment = { userId, experimentId, variantKey, assignedAt };
      db.write('assignments', (t) => t.assignments.set(rowKey, stored), userId);
      return clone(stored);
    },

    async listAssignments(query = {}) {
      const access = await getAccess();
      const result = [...db.tables.assignments.values()]
        .filter(
          (a) =>
            access.canSee(a.userId) &&
            (query.userId === undefined || a.userId === query.userId) &&
            (query.experimentId === undefined || a.experimentId === query.experimentId),
        )
        .sort(
          orderBy(
            (r) => r.assignedAt,
            (r) => r.experimentId,
            (r) => r.userId,
          ),
        );
      return clone(result);
    },

    async recordExposure(exposure) {
      const access = await getAccess();
      const userId = requireId(exposure?.userId, 'exposure.userId');
      access.assertCanWrite(userId, 'recordExposure');
      const experimentId = requireId(exposure.experimentId, 'exposure.experimentId');
      const sessionId = requireId(exposure.sessionId, 'exposure.sessionId');
      const exposedAt = iso(exposure.exposedAt, 'exposure.exposedAt');
      const assignment = db.tables.assignments.get(key(userId, experimentId));
      if (!assignment) {
        throw new FactoredError(
          'not_found',
          `user ${userId} has no assignment in experiment ${experimentId}; record the assignment first.`,
        );
      }
      if (assignment.variantKey !== exposure.variantKey) {
        throw new FactoredError(
          'conflict',
          `user ${userId} is assigned to "${assignment.variantKey}", not "${exposure.variantKey}", in experiment ${experimentId}.`,
          { details: { experimentId, variantKey: assignment.variantKey } },
        );
      }
      const rowKey = key(userId, experimentId, sessionId);
      if (db.tables.exposures.has(rowKey)) return { recorded: false };
      const stored: Exposure = {
        userId,
        experimentId,
        variantKey: assignment.variantKey,
        sessionId,
        exposedAt,
      };
      db.write('assignments', (t) => t.exposures.set(rowKey, stored), userId);
      return { recorded: true };
    },

    async listExposures(query = {}) {
      const access = await getAccess();
      const result = [...db.tables.exposures.values()]
        .filter(
          (e) =>
            access.canSee(e.userId) &&
            (query.userId === undefined || e.userId === query.userId) &&
            (query.experimentId === undefined || e.experimentId === query.experimentId),
        )
        .sort(
          orderBy(
            (r) => r.exposedAt,
            (r) => r.sessionId,
            (r) => r.userId,
            (r) => r.experimentId,
          ),
        );
      return clone(result);
    },

    async getExperimentSummaries(filters = {}) {
      const access = await getAccess();
      if (!canReadDefinitions(access)) return [];
      return [...db.tables.experiments.values()]
        .filter((e) => matchesFilters(e, filters))
        .sort(byCreation)
        .flatMap((e) => summarize(db.tables, access, e));
    },

    async getExperimentSummary(experimentId) {
      const access = await getAccess();
      const experiment = db.tables.experiments.get(experimentId);
      if (!experiment || !canReadDefinitions(access)) throw notFound(experimentId);
      return summarize(db.tables, access, experiment);
    },
  };
}
