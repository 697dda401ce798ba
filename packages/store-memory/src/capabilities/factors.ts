import {
  aggregateFactorValues,
  assertClusterAssignments,
  assertClusterId,
  assertFactorFilters,
  type ClusterAssignment,
  type ClusterCapability,
  compareFactorValues,
  computeFactors,
  type FactorCapability,
  FactoredError,
  type FactorName,
  type FactorSnapshotValue,
  type FactorValue,
  type MaintenanceCapability,
  normalizeTime,
  resolveFactorWindow,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';
import { type AggregateRelease, key } from '../database.js';

const clone = <T>(value: T): T => structuredClone(value);

/** Snapshot order: snapshotAt, then the canonical factor order. */
const bySnapshotThenFactor = (a: FactorSnapshotValue, b: FactorSnapshotValue) =>
  a.snapshotAt < b.snapshotAt ? -1 : a.snapshotAt > b.snapshotAt ? 1 : compareFactorValues(a, b);

function matches(
  value: FactorValue,
  query: { userId?: string; path?: string; factors?: readonly FactorName[] },
): boolean {
  return (
    (query.userId === undefined || value.userId === query.userId) &&
    (query.path === undefined || value.path === query.path) &&
    (query.factors === undefined || query.factors.includes(value.factor))
  );
}

/**
 * Factors, clusters and maintenance of the memory store, computed with the core reference
 * engine over the events table.
 */
export function factorsCapability({
  db,
  access: getAccess,
}: MemoryContext): FactorCapability & ClusterCapability & MaintenanceCapability {
  return {
    async getFactors(query = {}) {
      const access = await getAccess();
      assertFactorFilters(query);
      const out: FactorValue[] = [];
      for (const value of db.tables.factors.values()) {
        if (access.canSee(value.userId) && matches(value, query)) out.push(value);
      }
      return clone(out.sort(compareFactorValues));
    },

    async getComponentAggregates(query = {}) {
      const access = await getAccess();
      assertFactorFilters(query);
      const filters = { path: query.path, factors: query.factors };
      if (!access.isService) {
        // Released aggregates only (DESIGN §15): the latest release, else nothing.
        let latest: AggregateRelease | undefined;
        for (const release of db.tables.aggregateReleases) {
          if (!latest || release.releasedAt > latest.releasedAt) latest = release;
        }
        return clone(
          (latest?.aggregates ?? []).filter(
            (a) =>
              (filters.path === undefined || a.path === filters.path) &&
              (filters.factors === undefined || filters.factors.includes(a.factor)),
          ),
        );
      }
      const selected: FactorValue[] = [];
      // The service role: live aggregates over all users; the 5-user minimum is enforced by
      // aggregateFactorValues.
      for (const value of db.tables.factors.values()) {
        if (matches(value, filters)) selected.push(value);
      }
      return aggregateFactorValues(selected);
    },

    async getFactorHistory(query) {
      const access = await getAccess();
      assertFactorFilters(query);
      if (query.userId === undefined) {
        throw new FactoredError('invalid_input', 'getFactorHistory: userId is required.');
      }
      const since = normalizeTime(query.since, 'since');
      const until = query.until === undefined ? null : normalizeTime(query.until, 'until');
      if (!access.canSee(query.userId)) return [];
      const out = db.tables.snapshots.filter(
        (v) =>
          matches(v, query) && v.snapshotAt >= since && (until === null || v.snapshotAt <= until),
      );
      return clone(out.sort(bySnapshotThenFactor));
    },

    async getClosestSnapshot(query) {
      const access = await getAccess();
      assertFactorFilters(query);
      if (query.userId === undefined) {
        throw new FactoredError('invalid_input', 'getClosestSnapshot: userId is required.');
      }
      const at = normalizeTime(query.at, 'at');
      const after = query.after === undefined ? null : normalizeTime(query.after, 'after');
      if (!access.canSee(query.userId)) return [];
      const latest = new Map<string, FactorSnapshotValue>();
      for (const v of db.tables.snapshots) {
        if (!matches(v, query) || v.snapshotAt > at) continue;
        if (after !== null && v.snapshotAt <= after) continue;
        const k = key(v.path, v.factor);
        const current = latest.get(k);
        if (current === undefined || current.snapshotAt < v.snapshotAt) latest.set(k, v);
      }
      return clone([...latest.values()].sort(compareFactorValues));
    },

    async getUserCluster(userId) {
      const access = await getAccess();
      if (typeof userId !== 'string' || userId === '') {
        throw new FactoredError(
          'invalid_input',
          'getUserCluster: userId must be a non-empty string.',
        );
      }
      if (!access.canSee(userId)) return null;
      const found = db.tables.clusters.get(userId);
      return found ? clone(found) : null;
    },

    async getClusterMembers(clusterId) {
      const access = await getAccess();
      assertClusterId(clusterId);
      const out: ClusterAssignment[] = [];
      for (const a of db.tables.clusters.values()) {
        if (a.clusterId === clusterId && access.canSee(a.userId)) out.push(a);
      }
      return clone(out.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)));
    },

    async recomputeFactors(options) {
      const access = await getAccess();
      access.assertService('recomputeFactors');
      const window = resolveFactorWindow(options);
      const values = computeFactors(db.tables.events.values(), window);
      db.write('factors', (t) => {
        t.factors.clear();
        for (const value of values)
          t.factors.set(key(value.userId, value.path, value.factor), value);
      });
      return { users: new Set(values.map((v) => v.userId)).size, values: values.length };
    },

    async snapshotFactors(options) {
      const access = await getAccess();
      access.assertService('snapshotFactors');
      const window = resolveFactorWindow(options);
      const snapshotAt = window.asOf;
      const existing = db.tables.snapshots.filter((v) => v.snapshotAt === snapshotAt).length;
      if (existing > 0) return { values: existing, created: false };
      const values = computeFactors(db.tables.events.values(), window);
      if (values.length > 0) {
        db.write('factors', (t) => {
          for (const value of values) t.snapshots.push({ ...value, snapshotAt });
        });
      }
      return { values: values.length, created: true };
    },

    async storeClusters(assignments) {
      const access = await getAccess();
      access.assertService('storeClusters');
      assertClusterAssignments(assignments);
      const rows = assignments.map((a) => ({
        userId: a.userId,
        clusterId: a.clusterId,
        distance: a.distance,
        computedAt: normalizeTime(a.computedAt, 'computedAt'),
      }));
      db.write('factors', (t) => {
        t.clusters.clear();
        for (const row of rows) t.clusters.set(row.userId, row);
      });
    },
  };
}
