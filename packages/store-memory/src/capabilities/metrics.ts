import {
  assertValidMetricPlan,
  computeMetricStatistics,
  FactoredError,
  type MetricCapability,
  normalizeMetricDefinition,
  type StoredMetric,
  sameMetricDefinition,
  toEpochMs,
} from '@factoredui/core';
import type { MemoryContext } from '../context.js';

const clone = <T>(value: T): T => structuredClone(value);

/** Metric definitions (versioned) and their per-variant statistics by core's reference engine. */
export function metricsCapability({ db, access: getAccess }: MemoryContext): MetricCapability {
  return {
    async defineMetric(definition) {
      const access = await getAccess();
      access.assertService('defineMetric');
      const normalized = normalizeMetricDefinition(definition);
      const versions = db.tables.metrics.get(normalized.name) ?? [];
      const latest = versions[versions.length - 1];
      if (latest && sameMetricDefinition(latest, normalized)) return clone(latest);
      const stored: StoredMetric = {
        ...normalized,
        version: (latest?.version ?? 0) + 1,
        createdAt: new Date().toISOString(),
      };
      db.write('governance', (t) => t.metrics.set(stored.name, [...versions, clone(stored)]));
      return clone(stored);
    },

    async listMetrics(query = {}) {
      await getAccess();
      const names = [...db.tables.metrics.keys()]
        .filter((name) => query.name === undefined || name === query.name)
        .sort();
      const rows: StoredMetric[] = [];
      for (const name of names) {
        const versions = db.tables.metrics.get(name) ?? [];
        if (query.allVersions) rows.push(...versions);
        else if (versions.length > 0) rows.push(versions[versions.length - 1] as StoredMetric);
      }
      return clone(rows);
    },

    async setMetricPlan(experimentId, plan) {
      const access = await getAccess();
      access.assertService('setMetricPlan');
      assertValidMetricPlan(plan);
      const experiment = db.tables.experiments.get(experimentId);
      if (!experiment)
        throw new FactoredError('not_found', `experiment ${experimentId} does not exist.`, {
          details: { experimentId },
        });
      if (experiment.status === 'concluded' || experiment.status === 'stopped')
        throw new FactoredError(
          'conflict',
          `experiment ${experiment.name} is ${experiment.status}; its metric plan is part of its record and cannot change.`,
          { details: { experimentId, status: experiment.status } },
        );
      const stored = clone(plan);
      db.write('governance', (t) => t.metricPlans.set(experimentId, clone(stored)), experimentId);
      return stored;
    },

    async getMetricPlan(experimentId) {
      const access = await getAccess();
      const experiment =
        access.identity.role === 'anon' ? undefined : db.tables.experiments.get(experimentId);
      if (!experiment)
        throw new FactoredError('not_found', `experiment ${experimentId} does not exist.`, {
          details: { experimentId },
        });
      return clone(db.tables.metricPlans.get(experimentId) ?? null);
    },

    async getMetricStatistics(query) {
      const access = await getAccess();
      access.assertService('getMetricStatistics');
      const at = toEpochMs(query.at, 'at');
      const experiment =
        db.tables.experiments.get(query.experimentId) ??
        [...db.tables.experiments.values()].find((e) => e.name === query.experimentId);
      if (!experiment)
        throw new FactoredError('not_found', `experiment ${query.experimentId} does not exist.`, {
          details: { experimentId: query.experimentId },
        });
      const versions = db.tables.metrics.get(query.metric) ?? [];
      const metric =
        query.version === undefined
          ? versions[versions.length - 1]
          : versions.find((m) => m.version === query.version);
      if (!metric)
        throw new FactoredError(
          'not_found',
          `metric ${query.metric}${query.version === undefined ? '' : ` version ${query.version}`} does not exist; define it with defineMetric first.`,
          { details: { metric: query.metric } },
        );
      const assignments = [...db.tables.assignments.values()].filter(
        (a) => a.experimentId === experiment.id,
      );
      const users = new Set(assignments.map((a) => a.userId));
      return computeMetricStatistics({
        metric,
        variantKeys: experiment.variants.map((v) => v.key),
        assignments,
        exposures: [...db.tables.exposures.values()].filter(
          (x) => x.experimentId === experiment.id,
        ),
        events: [...db.tables.events.values()].filter((e) => users.has(e.userId)),
        at,
      });
    },
  };
}
