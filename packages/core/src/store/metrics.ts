import type { ExperimentMetricPlan } from '../governance/goals.js';
import type { MetricDefinition, MetricVariantStatistics, StoredMetric } from '../metrics/types.js';

/**
 * Metrics capability (DESIGN §18): metric definitions as versioned data, and their per-variant
 * sufficient statistics computed where the data is (core's `computeMetricStatistics` is the
 * reference every store reproduces exactly).
 *
 * Roles: every role reads definitions; defining metrics and reading metric statistics require
 * the service role (`unauthorized` otherwise). Metric statistics are service-only because,
 * unlike factor statistics, nothing releases them under the k-anonymity rules of DESIGN §15:
 * users see the numbers governance publishes in its log.
 */
export interface MetricCapability {
  /**
   * Stores a metric definition (validated with `normalizeMetricDefinition`, `invalid_input`
   * otherwise) and returns the stored version: version 1 for a new name; for a known name, the
   * latest version unchanged when the definition is the same (idempotent), else a new version
   * (latest + 1). Earlier versions are kept and never change. Service role.
   */
  defineMetric(definition: MetricDefinition): Promise<StoredMetric>;

  /**
   * Metric definitions sorted by name then version: the latest version of each name, or with
   * `allVersions` every version; with `name`, only that metric (an empty list when unknown).
   * Every role.
   */
  listMetrics(query?: { name?: string; allVersions?: boolean }): Promise<StoredMetric[]>;

  /**
   * Per-variant sufficient statistics of metric `metric` (its latest version, or `version`)
   * for experiment `experimentId` (id or name) at time `at`, exactly as core's
   * `computeMetricStatistics` defines them: one row per variant in definition order.
   * `not_found` for an unknown experiment, metric or version; `invalid_input` for a bad `at`.
   * Service role.
   */
  getMetricStatistics(query: {
    experimentId: string;
    metric: string;
    version?: number;
    at: string;
  }): Promise<MetricVariantStatistics[]>;

  /**
   * Sets the metric plan of an experiment (its primary metric and guardrails, DESIGN §18),
   * replacing any previous one, and returns it as stored. Validated with
   * `assertValidMetricPlan` (`invalid_input`); the metrics need not exist yet (governance
   * reports a missing one as `not_found`). `not_found` for an unknown experiment; `conflict`
   * when it is concluded or stopped (a finished experiment's plan is its record). Announces
   * `governance` with the experiment id. Service role.
   */
  setMetricPlan(experimentId: string, plan: ExperimentMetricPlan): Promise<ExperimentMetricPlan>;

  /**
   * The metric plan of an experiment, or `null` when it has none; governance uses it when no
   * `plan` option is given. `not_found` for an unknown experiment (for `anon`, the error
   * `getExperiment` gives). Every role.
   */
  getMetricPlan(experimentId: string): Promise<ExperimentMetricPlan | null>;
}
