import {
  analyzeMetric,
  type ExperimentMetricPlan,
  type ExperimentStatus,
  evaluateMetricGoal,
  expectedDaysToDecision,
  type FactoredStore,
  type GuardrailStatus,
  type MetricAnalysis,
  type MetricComparison,
  metricSummary,
  resolveGovernanceSettings,
  type StoredMetric,
  type StoreQuery,
  sampleSizePerVariant,
  type ThresholdScale,
} from '@factoredui/core';
import { GOVERNANCE_OPTIONS, METRIC_PLAN, METRICS, POWER_MDE } from './config.js';

const DAY_MS = 86_400_000;

/**
 * Defines the demo's metrics (a repeated definition returns the stored version unchanged) and
 * sets the experiment's metric plan unless it has one, or is finished (a concluded
 * experiment's plan is its record and cannot change).
 */
export async function ensureMetricPlan(
  service: FactoredStore,
  experimentId: string,
): Promise<void> {
  for (const metric of METRICS) await service.defineMetric(metric);
  if ((await service.getMetricPlan(experimentId)) !== null) return;
  const experiment = await service.getExperiment(experimentId);
  if (experiment.status === 'running' || experiment.status === 'draft')
    await service.setMetricPlan(experimentId, METRIC_PLAN);
}

/** How a metric enters the verdict: decides it, guards it, or is only watched. */
export type MetricRole = 'primary' | 'guardrail' | 'monitored';

/** One comparison of a metric with what governance reads from it. */
export interface MetricReadoutComparison extends MetricComparison {
  /** Guardrails: the interval against the margin; `null` otherwise. */
  guardrail: GuardrailStatus | null;
  /** Primary: the estimate reaches the minimum effect. */
  passesThreshold: boolean;
}

/** One metric of the experiment, analysed now. */
export interface MetricReadoutRow extends Omit<MetricAnalysis, 'comparisons'> {
  role: MetricRole;
  description: string | null;
  /** The primary's minimum effect or the guardrail's margin. */
  goal: { value: number; scale: ThresholdScale } | null;
  comparisons: MetricReadoutComparison[];
}

/** The power panel: the sample the primary needs and when the traffic will reach it. */
export interface PowerReadout {
  metric: string;
  /** Control's observed value (the baseline) and per-user variance. */
  baseline: number;
  variance: number;
  /** The absolute effect sized for. */
  minimumDetectableEffect: number;
  /** Two-sided level of the test sized for (the per-comparison α of governance). */
  alpha: number;
  power: number;
  requiredPerVariant: number;
  /** Assigned users of the smallest variant. */
  usersPerVariantSoFar: number;
  usersPerVariantPerDay: number;
  remainingPerVariant: number;
  /** Remaining users over every variant. */
  remainingVisitors: number;
  /** `Infinity` without traffic. */
  days: number;
}

/** Everything the governor shows about an experiment's metrics. */
export interface MetricReadout {
  /** The experiment's status: the time to a decision only applies while it runs. */
  status: ExperimentStatus;
  plan: ExperimentMetricPlan | null;
  /** Per-comparison α (governance's Bonferroni family), the level of every interval here. */
  alpha: number;
  rows: MetricReadoutRow[];
  /** `null` without a primary metric, or before control has a variance (fewer than 2 users). */
  power: PowerReadout | null;
  /** Why there is no power readout, when there is none. */
  powerNote: string | null;
}

/** Wanted power of the power panel. */
const POWER = 0.8;

/**
 * Reads every defined metric of an experiment at `at` (service role) and analyses it the way
 * governance does: plan metrics with their minimum effect or margin, the others as monitored,
 * all at governance's per-comparison α. Adds the power and duration of the primary metric from
 * control's observed baseline and the observed traffic (assignments since the first one).
 */
export async function readMetrics(
  store: FactoredStore,
  experimentId: string,
  at: number,
): Promise<MetricReadout> {
  const [experiment, plan, metrics, thresholds, assignments] = await Promise.all([
    store.getExperiment(experimentId),
    store.getMetricPlan(experimentId),
    store.listMetrics(),
    store.listThresholds({ experimentId }),
    store.listAssignments({ experimentId }),
  ]);
  const settings = resolveGovernanceSettings(GOVERNANCE_OPTIONS);
  const variantKeys = experiment.variants.map((v) => v.key);
  const treatments = Math.max(1, variantKeys.length - 1);
  const planMetrics = plan ? (plan.primary ? 1 : 0) + plan.guardrails.length : 0;
  const family = (thresholds.length + planMetrics) * treatments;
  const alpha =
    settings.multipleComparisons === 'bonferroni' && family > 1
      ? settings.alpha / family
      : settings.alpha;
  const iso = new Date(at).toISOString();
  const byName = new Map<string, StoredMetric>(metrics.map((m) => [m.name, m]));
  const ordered = [
    ...(plan?.primary ? [plan.primary.metric] : []),
    ...(plan?.guardrails.map((g) => g.metric) ?? []),
    ...metrics.map((m) => m.name),
  ].filter((name, i, all) => all.indexOf(name) === i && byName.has(name));

  const rows: MetricReadoutRow[] = [];
  let primaryControl: { value: number; variance: number } | null = null;
  for (const name of ordered) {
    const metric = byName.get(name) as StoredMetric;
    const statistics = await store.getMetricStatistics({ experimentId, metric: name, at: iso });
    const guard = plan?.guardrails.find((g) => g.metric === name);
    const primary = plan?.primary?.metric === name ? plan.primary : null;
    const input = { metric, statistics };
    if (primary || guard) {
      const role = primary ? 'primary' : 'guardrail';
      const value = primary ? (primary.minimumEffect ?? 0) : (guard?.margin ?? 0);
      const scale = primary ? (primary.scale ?? 'absolute') : (guard?.scale ?? 'relative');
      const evaluation = evaluateMetricGoal(
        { ...input, role, value, scale },
        variantKeys,
        settings,
        alpha,
      );
      rows.push({
        ...evaluation,
        description: metric.description ?? null,
        goal: { value, scale },
      });
    } else {
      const analysis = analyzeMetric(input, variantKeys, settings, alpha);
      rows.push({
        ...analysis,
        role: 'monitored',
        description: metric.description ?? null,
        goal: null,
        comparisons: analysis.comparisons.map((c) => ({
          ...c,
          guardrail: null,
          passesThreshold: false,
        })),
      });
    }
    if (primary) {
      const control = statistics.find((s) => s.variantKey === 'control');
      const summary = control ? metricSummary(control) : null;
      if (summary && summary.variance > 0)
        primaryControl = { value: summary.mean, variance: summary.variance };
    }
  }

  let power: PowerReadout | null = null;
  let powerNote: string | null = null;
  if (!plan?.primary) powerNote = 'The experiment has no primary metric to size.';
  else if (!primaryControl)
    powerNote = `No baseline yet: ${plan.primary.metric} needs at least 2 exposed control users with different values.`;
  else {
    const counts = new Map<string, number>(variantKeys.map((k) => [k, 0]));
    let first = Number.POSITIVE_INFINITY;
    for (const a of assignments) {
      const t = Date.parse(a.assignedAt);
      if (t > at) continue;
      counts.set(a.variantKey, (counts.get(a.variantKey) ?? 0) + 1);
      first = Math.min(first, t);
    }
    const soFar = Math.min(...counts.values());
    const days = Number.isFinite(first) ? (at - first) / DAY_MS : 0;
    const perDay = days > 0 ? soFar / days : 0;
    const assumptions = { variance: primaryControl.variance, alpha, power: POWER };
    const estimate = expectedDaysToDecision(POWER_MDE, assumptions, {
      usersPerVariantSoFar: soFar,
      usersPerVariantPerDay: perDay,
    });
    power = {
      metric: plan.primary.metric,
      baseline: primaryControl.value,
      variance: primaryControl.variance,
      minimumDetectableEffect: POWER_MDE,
      alpha,
      power: POWER,
      requiredPerVariant: sampleSizePerVariant(POWER_MDE, assumptions).perVariant,
      usersPerVariantSoFar: soFar,
      usersPerVariantPerDay: perDay,
      remainingPerVariant: estimate.remainingPerVariant,
      remainingVisitors: estimate.remainingPerVariant * variantKeys.length,
      days: estimate.days,
    };
  }
  return { status: experiment.status, plan, alpha, rows, power, powerNote };
}

/**
 * {@link readMetrics} as a live store query, refetched on the changes the lifts table follows
 * (factor refreshes, assignments, experiments, governance: a simulation ends with a refresh
 * and a sweep) rather than on every captured event. `at` is the time of the fetch.
 */
export function metricReadoutQuery(
  experimentId: string,
  now: () => number = Date.now,
): StoreQuery<MetricReadout> {
  return {
    key: ['demo', 'metricReadout', experimentId],
    topics: ['factors', 'assignments', 'experiments', 'governance'],
    fetch: (store) => readMetrics(store, experimentId, now()),
  };
}
