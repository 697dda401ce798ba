import { FactoredError } from '../errors.js';
import { metricSummary } from '../metrics/analysis.js';
import type { FactoredStore } from '../store/contract.js';
import { type TimeInput, toEpochMs, toIsoString } from '../util/time.js';
import { expectedDaysToDecision, type PowerAssumptions } from './statistics/power.js';

const DAY_MS = 86_400_000;

/** Options of {@link estimateTimeToDecision}. */
export interface TimeToDecisionOptions extends Omit<PowerAssumptions, 'variance'> {
  /** The smallest absolute difference worth detecting. */
  minimumDetectableEffect: number;
  /** Per-user variance; or give `metric` to take it from control's metric statistics. */
  variance?: number;
  /** A metric whose control variance (delta method) to use (service role). */
  metric?: string;
  /** Evaluation time. Default now. */
  at?: TimeInput;
}

/** What {@link estimateTimeToDecision} found. */
export interface TimeToDecision {
  experimentId: string;
  variance: number;
  /** Users of the smallest variant so far. */
  usersPerVariantSoFar: number;
  /** Those users divided by the days since the experiment started. */
  usersPerVariantPerDay: number;
  requiredPerVariant: number;
  remainingPerVariant: number;
  /** Days until `requiredPerVariant` at the observed traffic (`Infinity` without traffic). */
  days: number;
}

/**
 * Expected days until a running experiment can detect `minimumDetectableEffect` (fixed-horizon
 * power, {@link expectedDaysToDecision}), from observed traffic: the smallest variant's assigned
 * users over the days since it started. The variance is given, or read from control's
 * statistics of `metric` (service role). `conflict` when the experiment has not started.
 */
export async function estimateTimeToDecision(
  store: FactoredStore,
  experimentId: string,
  options: TimeToDecisionOptions,
): Promise<TimeToDecision> {
  const experiment = await store.getExperiment(experimentId);
  if (experiment.startedAt === null)
    throw new FactoredError(
      'conflict',
      `experiment ${experiment.name} has not started; traffic is observed once it runs.`,
      { details: { experimentId: experiment.id, status: experiment.status } },
    );
  const at = toEpochMs(options.at ?? Date.now(), 'at');
  let variance = options.variance;
  if (variance === undefined) {
    if (options.metric === undefined)
      throw new FactoredError(
        'invalid_input',
        'give the per-user variance or a metric to read it from.',
      );
    const rows = await store.getMetricStatistics({
      experimentId: experiment.id,
      metric: options.metric,
      at: toIsoString(at, 'at'),
    });
    const control = rows.find((r) => r.variantKey === 'control');
    variance = control ? metricSummary(control).variance : Number.NaN;
    if (!(variance > 0))
      throw new FactoredError(
        'invalid_input',
        `metric ${options.metric} has no variance in control yet (fewer than 2 users or constant values); give variance from a baseline instead.`,
      );
  }
  const summary = await store.getExperimentSummary(experiment.id);
  const soFar = Math.min(...summary.map((r) => r.assignedUsers));
  const days = Math.max(at - toEpochMs(experiment.startedAt, 'startedAt'), 0) / DAY_MS;
  const perDay = days > 0 ? soFar / days : 0;
  const { minimumDetectableEffect, metric: _metric, at: _at, ...assumptions } = options;
  const estimate = expectedDaysToDecision(
    minimumDetectableEffect,
    { ...assumptions, variance },
    { usersPerVariantSoFar: soFar, usersPerVariantPerDay: perDay },
  );
  return {
    experimentId: experiment.id,
    variance,
    usersPerVariantSoFar: soFar,
    usersPerVariantPerDay: perDay,
    ...estimate,
  };
}
