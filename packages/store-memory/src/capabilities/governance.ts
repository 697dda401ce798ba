import {
  AGGREGATE_MIN_USERS,
  assertComponentPath,
  assertFactorName,
  assertValidGovernanceLogEntry,
  assertValidThreshold,
  emptySufficientStatistics,
  FactoredError,
  type GovernanceCapability,
  type GovernanceLogEntry,
  type GovernanceThreshold,
  type GovernanceVerdict,
  toEpochMs,
  toIsoString,
  type VariantSufficientStatistics,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const clone = <T>(value: T): T => structuredClone(value);
const VERDICTS: readonly GovernanceVerdict[] = ['conclude', 'continue', 'flag_review'];

function experimentNotFound(experimentId: string): FactoredError {
  return new FactoredError(
    'not_found',
    `experiment ${experimentId} does not exist; create it with insertExperiment first.`,
    { details: { experimentId } },
  );
}

/** Thresholds, per-variant sufficient statistics and the append-only governance log. */
export function governanceCapability({
  db,
  access: getAccess,
}: MemoryContext): GovernanceCapability {
  return {
    async upsertThreshold(threshold) {
      const access = await getAccess();
      access.assertService('upsertThreshold');
      const stored = assertValidThreshold(threshold);
      if (stored.experimentId !== null && !db.tables.experiments.has(stored.experimentId)) {
        throw experimentNotFound(stored.experimentId);
      }
      db.write('governance', (t) => t.thresholds.set(stored.id, clone(stored)));
      return clone(stored);
    },

    async listThresholds(query = {}) {
      await getAccess();
      const rows: GovernanceThreshold[] = [];
      for (const threshold of db.tables.thresholds.values()) {
        if (
          query.experimentId !== undefined &&
          threshold.experimentId !== null &&
          threshold.experimentId !== query.experimentId
        ) {
          continue;
        }
        rows.push(threshold);
      }
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return clone(rows);
    },

    async getSufficientStatistics(query) {
      const access = await getAccess();
      assertFactorName(query.factor, 'factor');
      if (query.path !== undefined) assertComponentPath(query.path, 'path');
      const at = toEpochMs(query.at, 'at');
      const experiment = db.tables.experiments.get(query.experimentId);
      if (!experiment) throw experimentNotFound(query.experimentId);
      const path = query.path ?? experiment.path;

      // Population: assignments at or before `at`.
      const users = new Map<
        string,
        {
          variantKey: string;
          assignedAt: number;
          x: number | null;
          xAt: number;
          y: number | null;
          yAt: number;
        }
      >();
      for (const a of db.tables.assignments.values()) {
        if (a.experimentId !== experiment.id) continue;
        const assignedAt = toEpochMs(a.assignedAt, 'assignedAt');
        if (assignedAt > at) continue;
        users.set(a.userId, {
          variantKey: a.variantKey,
          assignedAt,
          x: null,
          xAt: Number.NEGATIVE_INFINITY,
          y: null,
          yAt: Number.NEGATIVE_INFINITY,
        });
      }
      // One pass over the snapshots: x = latest at or before assignment, y = latest in
      // (assignment, at]. `>=` lets a later-inserted row win a (never expected) tie.
      for (const s of db.tables.snapshots) {
        if (s.factor !== query.factor || s.path !== path) continue;
        const user = users.get(s.userId);
        if (!user) continue;
        const when = toEpochMs(s.snapshotAt, 'snapshotAt');
        if (when <= user.assignedAt) {
          if (when >= user.xAt) {
            user.x = s.value;
            user.xAt = when;
          }
        } else if (when <= at && when >= user.yAt) {
          user.y = s.value;
          user.yAt = when;
        }
      }
      const rows = new Map<string, VariantSufficientStatistics>(
        experiment.variants.map((v) => [v.key, emptySufficientStatistics(v.key)]),
      );
      for (const user of users.values()) {
        const row = rows.get(user.variantKey);
        if (!row) continue;
        row.assigned += 1;
        if (user.y === null) continue;
        const { x, y } = user;
        row.n += 1;
        row.sumY += y;
        row.sumY2 += y * y;
        if (x !== null) {
          row.nX += 1;
          row.sumX += x;
          row.sumX2 += x * x;
          row.sumXY += x * y;
          row.sumYWithX += y;
        }
      }
      const result = [...rows.values()];
      if (!access.isService) {
        // k-anonymity, as for component aggregates: no sums over fewer than 5 users.
        for (const row of result) {
          if (row.n > 0 && row.n < AGGREGATE_MIN_USERS) {
            Object.assign(row, { n: 0, sumY: 0, sumY2: 0 });
            Object.assign(row, { nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 });
          }
          if (row.nX > 0 && row.nX < AGGREGATE_MIN_USERS) {
            Object.assign(row, { nX: 0, sumX: 0, sumX2: 0, sumXY: 0, sumYWithX: 0 });
          }
        }
      }
      return result;
    },

    async appendGovernanceLog(entry) {
      const access = await getAccess();
      access.assertService('appendGovernanceLog');
      assertValidGovernanceLogEntry(entry);
      if (!db.tables.experiments.has(entry.experimentId))
        throw experimentNotFound(entry.experimentId);
      if (db.tables.governanceLog.some((row) => row.id === entry.id)) {
        throw new FactoredError(
          'conflict',
          `governance log entry ${entry.id} already exists; the log is append-only, use a new id.`,
        );
      }
      const stored: GovernanceLogEntry = clone({
        ...entry,
        evaluatedAt: toIsoString(entry.evaluatedAt, 'evaluatedAt'),
      });
      db.write('governance', (t) => t.governanceLog.push(stored), stored.experimentId);
      return clone(stored);
    },

    async listGovernanceLog(query = {}) {
      await getAccess();
      if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit > 0)) {
        throw new FactoredError(
          'invalid_input',
          `limit must be a positive integer, got ${query.limit}.`,
        );
      }
      if (query.verdict !== undefined && !VERDICTS.includes(query.verdict)) {
        throw new FactoredError(
          'invalid_input',
          `verdict must be one of ${VERDICTS.join(', ')}, got ${JSON.stringify(query.verdict)}.`,
        );
      }
      const result: GovernanceLogEntry[] = [];
      const log = db.tables.governanceLog;
      for (let i = log.length - 1; i >= 0; i -= 1) {
        const row = log[i] as GovernanceLogEntry;
        if (query.experimentId !== undefined && row.experimentId !== query.experimentId) continue;
        if (query.verdict !== undefined && row.verdict !== query.verdict) continue;
        result.push(row);
        if (query.limit !== undefined && result.length >= query.limit) break;
      }
      return clone(result);
    },
  };
}
