import {
  assertComponentPath,
  assertFactorName,
  assertValidGovernanceLogEntry,
  assertValidThreshold,
  type Experiment,
  emptySufficientStatistics,
  FactoredError,
  type GovernanceCapability,
  type GovernanceLogEntry,
  type GovernanceThreshold,
  type GovernanceVerdict,
  releaseAssignedCount,
  releaseComponentAggregates,
  releaseVariantRow,
  type StatisticsContribution,
  statisticsReleasePairs,
  toEpochMs,
  toIsoString,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';
import type { AggregateRelease, StatisticsRelease } from '../database.js';

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
  /**
   * Per variant, every user assigned at or before `at` with x = the latest snapshot at or
   * before the assignment and y = the latest in (assignment, at] (DESIGN §7).
   */
  const contributions = (
    experiment: Experiment,
    factor: string,
    path: string,
    at: number,
  ): Map<string, StatisticsContribution[]> => {
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
    // One pass over the snapshots. `>=` lets a later-inserted row win a (never expected) tie.
    for (const s of db.tables.snapshots) {
      if (s.factor !== factor || s.path !== path) continue;
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
    const byVariant = new Map<string, StatisticsContribution[]>();
    for (const [userId, user] of users) {
      const list = byVariant.get(user.variantKey) ?? [];
      byVariant.set(user.variantKey, list);
      list.push({ userId, x: user.x, y: user.y });
    }
    return byVariant;
  };

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
      // anon learns nothing about experiments it cannot see by name: getExperiment's error.
      const experiment =
        access.identity.role === 'anon' ? undefined : db.tables.experiments.get(query.experimentId);
      if (!experiment) throw experimentNotFound(query.experimentId);
      const path = query.path ?? experiment.path;
      if (!access.isService || query.released === true) {
        // Released statistics only: the latest release at or before `at`, else zeros.
        let latest: StatisticsRelease | undefined;
        for (const release of db.tables.statisticsReleases) {
          if (
            release.experimentId === experiment.id &&
            release.factor === query.factor &&
            release.path === path &&
            Date.parse(release.releasedAt) <= at &&
            (!latest || release.releasedAt > latest.releasedAt)
          )
            latest = release;
        }
        return latest
          ? clone(latest.rows)
          : experiment.variants.map((v) => emptySufficientStatistics(v.key));
      }
      const users = contributions(experiment, query.factor, path, at);
      return experiment.variants.map((v) => {
        const row = emptySufficientStatistics(v.key);
        for (const { x, y } of users.get(v.key) ?? []) {
          row.assigned += 1;
          if (y === null) continue;
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
        return row;
      });
    },

    async releaseStatistics(options) {
      const access = await getAccess();
      access.assertService('releaseStatistics');
      const releasedAt = toIsoString(options?.at, 'at');
      const at = Date.parse(releasedAt);
      let released = 0;
      let aggregates = 0;
      const running = [...db.tables.experiments.values()]
        .filter((e) => e.status === 'running')
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      const thresholds = [...db.tables.thresholds.values()];
      const pendingPairs = (experiment: Experiment) =>
        statisticsReleasePairs(experiment, thresholds).filter(
          ({ factor, path }) =>
            !db.tables.statisticsReleases.some(
              (r) =>
                r.experimentId === experiment.id &&
                r.factor === factor &&
                r.path === path &&
                r.releasedAt === releasedAt,
            ),
        );
      // A repeated call at a released time changes nothing, so it announces nothing either.
      if (
        running.every((e) => pendingPairs(e).length === 0) &&
        db.tables.aggregateReleases.some((r) => r.releasedAt === releasedAt)
      ) {
        return { released: 0, aggregates: 0 };
      }
      db.write('governance', (t) => {
        for (const experiment of running) {
          const pending = pendingPairs(experiment);
          if (pending.length === 0) continue;
          // The variant's released `assigned` count: once per variant and release.
          const assignedSets = new Map<string, string[]>();
          for (const a of t.assignments.values()) {
            if (a.experimentId !== experiment.id || Date.parse(a.assignedAt) > at) continue;
            const set = assignedSets.get(a.variantKey) ?? [];
            assignedSets.set(a.variantKey, set);
            set.push(a.userId);
          }
          let earlier: StatisticsRelease | undefined;
          for (const r of t.statisticsReleases) {
            if (r.experimentId !== experiment.id || r.releasedAt >= releasedAt) continue;
            if (!earlier || r.releasedAt > earlier.releasedAt) earlier = r;
          }
          const assigned = new Map<string, number>();
          for (const v of experiment.variants) {
            const { assigned: count, cohort } = releaseAssignedCount({
              experimentId: experiment.id,
              variantKey: v.key,
              members: assignedSets.get(v.key) ?? [],
              history: t.assignedCohorts,
              previous: earlier?.rows.find((r) => r.variantKey === v.key)?.assigned ?? 0,
            });
            if (cohort) t.assignedCohorts.push(cohort);
            assigned.set(v.key, count);
          }
          for (const { factor, path } of pending) {
            const sameKey = (r: StatisticsRelease) =>
              r.experimentId === experiment.id && r.factor === factor && r.path === path;
            let previous: StatisticsRelease | undefined;
            for (const r of t.statisticsReleases) {
              if (sameKey(r) && r.releasedAt < releasedAt) {
                if (!previous || r.releasedAt > previous.releasedAt) previous = r;
              }
            }
            const users = contributions(experiment, factor, path, at);
            const rows = experiment.variants.map((v) => {
              const { row, cohort } = releaseVariantRow({
                experimentId: experiment.id,
                variantKey: v.key,
                factor,
                path,
                users: users.get(v.key) ?? [],
                history: t.releasedCohorts,
                previous: previous?.rows.find((r) => r.variantKey === v.key) ?? null,
                assigned: assigned.get(v.key) ?? 0,
              });
              if (cohort) t.releasedCohorts.push(cohort);
              return row;
            });
            t.statisticsReleases.push({
              experimentId: experiment.id,
              factor,
              path,
              releasedAt,
              rows,
            });
            released += 1;
          }
        }
        // The component aggregates, in the same release (one call, one schedule).
        if (t.aggregateReleases.some((r) => r.releasedAt === releasedAt)) return;
        let previous: AggregateRelease | undefined;
        for (const r of t.aggregateReleases) {
          if (r.releasedAt < releasedAt && (!previous || r.releasedAt > previous.releasedAt))
            previous = r;
        }
        const release = releaseComponentAggregates({
          values: t.factors.values(),
          history: t.aggregateCohorts,
          previous: previous?.aggregates ?? [],
        });
        t.aggregateCohorts.push(...release.cohorts);
        t.aggregateReleases.push({ releasedAt, aggregates: release.aggregates });
        aggregates = release.aggregates.length;
      });
      return { released, aggregates };
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
