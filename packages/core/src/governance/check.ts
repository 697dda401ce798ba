import { FactoredError, isFactoredError } from '../errors.js';
import type { Experiment } from '../experiments/types.js';
import { FACTOR_CATALOG } from '../factors/catalog.js';
import type { FactorName } from '../factors/types.js';
import { legacyCall } from '../legacy/calls.js';
import type { FactoredStore } from '../store/contract.js';
import { createEventId } from '../util/ids.js';
import { type TimeInput, toIsoString } from '../util/time.js';
import { analyzeExperiment, type FactorAnalysisInput } from './analysis.js';
import {
  assertValidMetricPlan,
  type ExperimentMetricPlan,
  loggedMetricOutcomes,
  type MetricGoalInput,
} from './goals.js';
import type { GovernanceOptions } from './settings.js';
import { factorBetterDirection, resolveThresholds } from './thresholds.js';
import type {
  ExperimentEvaluation,
  GovernanceDecision,
  GovernanceLogEntry,
  GovernanceVerdict,
} from './types.js';
import { computeGovernanceVerdict } from './verdict.js';

/** Options of the store-backed governance functions. */
export interface GovernanceCheckOptions extends GovernanceOptions {
  /** Evaluation time (default: now). Only snapshots at or before it are used. */
  at?: TimeInput;
  /**
   * The experiment's primary metric and guardrails (DESIGN §18). `runGovernanceCheck` (and so
   * the sweep) defaults to the plan stored with `setMetricPlan` (`null`: none); the read-only
   * functions use only a plan given here. Metric statistics are read with
   * `getMetricStatistics` (service role) and every number lands in the log row.
   */
  plan?: ExperimentMetricPlan | null;
}

/** Options of {@link runGovernanceCheck} and {@link runGovernanceSweep}. */
export interface GovernanceRunOptions extends GovernanceCheckOptions {
  /** Conclude the experiment when the verdict is `conclude`. Default true. */
  autoConclude?: boolean;
}

/** A factor (on the experiment's path, or on `path`) to include in experiment results. */
export type ResultFactor = FactorName | { factor: FactorName; path?: string };

async function assignedCounts(
  store: FactoredStore,
  experiment: Experiment,
  at: string,
  released: boolean,
): Promise<Record<string, number>> {
  if (released) {
    // Released counts: the rows of any factor on the experiment's path carry them.
    const rows = await store.getSufficientStatistics({
      experimentId: experiment.id,
      factor: (FACTOR_CATALOG[0] as { name: FactorName }).name,
      at,
      released: true,
    });
    return Object.fromEntries(rows.map((r) => [r.variantKey, r.assigned]));
  }
  const rows = await store.getExperimentSummary(experiment.id);
  return Object.fromEntries(rows.map((r) => [r.variantKey, r.assignedUsers]));
}

/** Reads the statistics of every metric of `plan` (latest or pinned version) at `at`. */
async function metricGoalInputs(
  store: FactoredStore,
  experiment: Experiment,
  plan: ExperimentMetricPlan,
  at: string,
): Promise<MetricGoalInput[]> {
  assertValidMetricPlan(plan);
  const goals = [
    ...(plan.primary
      ? [
          {
            role: 'primary' as const,
            metric: plan.primary.metric,
            version: plan.primary.version,
            value: plan.primary.minimumEffect ?? 0,
            scale: plan.primary.scale ?? ('absolute' as const),
          },
        ]
      : []),
    ...plan.guardrails.map((g) => ({
      role: 'guardrail' as const,
      metric: g.metric,
      version: g.version,
      value: g.margin,
      scale: g.scale ?? ('relative' as const),
    })),
  ];
  return Promise.all(
    goals.map(async (goal) => {
      const versions = await store.listMetrics({ name: goal.metric, allVersions: true });
      const metric =
        goal.version === undefined
          ? versions[versions.length - 1]
          : versions.find((m) => m.version === goal.version);
      if (!metric)
        throw new FactoredError(
          'not_found',
          `metric ${goal.metric}${goal.version === undefined ? '' : ` version ${goal.version}`} of the plan of ${experiment.name} does not exist; define it with defineMetric.`,
          { details: { metric: goal.metric } },
        );
      const statistics = await store.getMetricStatistics({
        experimentId: experiment.id,
        metric: metric.name,
        version: metric.version,
        at,
      });
      return { role: goal.role, metric, statistics, value: goal.value, scale: goal.scale };
    }),
  );
}

/**
 * Evaluates `factors` of `experiment` at `options.at`. With `released`, every number comes from
 * the statistics release at `at` (what non-service roles may read), never the exact ones.
 */
async function evaluate(
  store: FactoredStore,
  experiment: Experiment,
  factors: readonly Omit<FactorAnalysisInput, 'statistics'>[],
  options: GovernanceCheckOptions,
  released = false,
): Promise<ExperimentEvaluation> {
  const at = toIsoString(options.at ?? Date.now(), 'at');
  const metrics = options.plan
    ? await metricGoalInputs(store, experiment, options.plan, at)
    : undefined;
  const statistics = await Promise.all(
    factors.map((f) =>
      store.getSufficientStatistics({
        experimentId: experiment.id,
        factor: f.factor,
        path: f.path,
        at,
        ...(released ? { released: true } : {}),
      }),
    ),
  );
  // SRM counts: assignments at or before `at`, from the statistics (released counts when
  // `released`); with no factor to analyze, from the release or the dashboard summary.
  const first = statistics[0];
  const assigned = first
    ? Object.fromEntries(first.map((r) => [r.variantKey, r.assigned]))
    : await assignedCounts(store, experiment, at, released);
  return analyzeExperiment(
    {
      experimentId: experiment.id,
      evaluatedAt: at,
      variants: experiment.variants,
      assigned,
      factors: factors.map((f, i) => ({ ...f, statistics: statistics[i] ?? [] })),
      ...(metrics ? { metrics } : {}),
    },
    options,
  );
}

async function thresholdFactors(store: FactoredStore, experiment: Experiment) {
  const thresholds = resolveThresholds(
    await store.listThresholds({ experimentId: experiment.id }),
    experiment,
  );
  return thresholds.map((t) => ({
    factor: t.factor,
    path: t.path,
    threshold: { id: t.id, operator: t.operator, value: t.value, scale: t.scale },
  }));
}

/**
 * Evaluates an experiment against its thresholds (its own and the global ones; see
 * `resolveThresholds`) at `options.at` (default now): fetches per-variant sufficient
 * statistics of every thresholded factor and the assignment counts, then runs
 * {@link analyzeExperiment}. Reads only; nothing is logged. Throws `not_found` for an unknown
 * experiment and `invalid_input` for bad options.
 */
export async function evaluateExperimentThresholds(
  store: FactoredStore,
  experimentId: string,
  options: GovernanceCheckOptions = {},
): Promise<ExperimentEvaluation> {
  const experiment = await store.getExperiment(experimentId);
  return evaluate(store, experiment, await thresholdFactors(store, experiment), options);
}

/**
 * Results of an experiment for a dashboard: per factor, per-variant counts and means, and each
 * treatment's lift over control with interval and p-value. By default the thresholded factors;
 * with none, every factor of the catalog that has a better direction, on the experiment's
 * path. `options.factors` picks factors explicitly (their thresholds are still attached). Works
 * for experiments in any status. Reads only.
 */
export async function queryExperimentResults(
  store: FactoredStore,
  experimentId: string,
  optionsOrFactors:
    | (GovernanceCheckOptions & { factors?: readonly ResultFactor[] })
    | readonly ResultFactor[] = {},
): Promise<ExperimentEvaluation> {
  // 0.5.1 overload: queryExperimentResults(store, id, ['completion_rate', ...]).
  const options = Array.isArray(optionsOrFactors)
    ? { factors: optionsOrFactors as readonly ResultFactor[] }
    : (optionsOrFactors as GovernanceCheckOptions & { factors?: readonly ResultFactor[] });
  const experiment = await store.getExperiment(experimentId);
  const thresholded = await thresholdFactors(store, experiment);
  let factors: Omit<FactorAnalysisInput, 'statistics'>[] = thresholded;
  if (options.factors) {
    factors = options.factors.map((f) => {
      const factor = typeof f === 'string' ? f : f.factor;
      const path = (typeof f === 'string' ? undefined : f.path) ?? experiment.path;
      factorBetterDirection(factor);
      const match = thresholded.find((t) => t.factor === factor && t.path === path);
      return { factor, path, threshold: match?.threshold ?? null };
    });
  } else if (factors.length === 0) {
    factors = FACTOR_CATALOG.filter((d) => d.direction !== null).map((d) => ({
      factor: d.name,
      path: experiment.path,
      threshold: null,
    }));
  }
  return evaluate(store, experiment, factors, options);
}

/**
 * Appends an evaluation and its decision to the governance log (a new UUIDv7 id) and returns
 * the stored row. Metrics are logged as flags only ({@link loggedMetricOutcomes}): signed-in
 * users read the log, and exact metric numbers could be differenced between two rows down to
 * one user (DESIGN §15). Requires the service role.
 */
export async function logGovernanceVerdict(
  store: FactoredStore,
  evaluation: ExperimentEvaluation,
  decision: GovernanceDecision,
): Promise<GovernanceLogEntry> {
  if (typeof evaluation === 'string') {
    legacyCall(
      'logGovernanceVerdict(store, experimentId, verdict)',
      'runGovernanceCheck(store, experimentId) (evaluates, decides and logs), or logGovernanceVerdict(store, evaluation, decision) with an evaluation from queryExperimentResults and a decision from computeGovernanceVerdict',
    );
  }
  const { metrics, ...rest } = evaluation;
  return store.appendGovernanceLog({
    id: createEventId(),
    ...rest,
    ...(metrics ? { metrics: loggedMetricOutcomes(metrics) } : {}),
    ...decision,
  });
}

/** What {@link runGovernanceCheck} did. */
export interface GovernanceCheckResult {
  /** The log row written (evaluation, verdict, winner, reason; metrics as flags only). */
  entry: GovernanceLogEntry;
  /**
   * The evaluation the verdict was drawn from, with every metric number (exact: metric
   * statistics are read with the service role). Not logged; keep it private to the service.
   */
  evaluation: ExperimentEvaluation;
  /** The experiment after the check (concluded when `concluded`). */
  experiment: Experiment;
  /** True when this check concluded the experiment. */
  concluded: boolean;
}

/**
 * Governs one running experiment: releases statistics at the evaluation time
 * (`store.releaseStatistics({ at })`, idempotent per time), evaluates its thresholds on the
 * **released** statistics of that release and its metric plan (`options.plan`, else the stored
 * one; metric statistics are read with the service role), draws the verdict ({@link computeGovernanceVerdict}),
 * appends it with every per-factor number to the log and, on `conclude` (unless
 * `autoConclude: false`), moves the experiment from `running` to `concluded` with the winner.
 * Requires the service role.
 *
 * Signed-in users read the log, so it holds released numbers only (DESIGN §15): metrics are
 * logged as flags (role, metric, version, setting, per-treatment outcome), their numbers are
 * only in the returned `evaluation`; and every factor `n`,
 * mean, sum-derived interval and `assigned` count in it is one a user could read from the
 * release, and two log entries of an experiment differ by 0 or at least 5 users per variant.
 * The released numbers lag the exact ones by at most 4 users per variant and cohort (the
 * SRM check included); `queryExperimentResults` with the service role still shows exact ones.
 *
 * Throws `conflict` when the experiment is not running (also when it stops being running
 * between the evaluation and the transition; the log row then stays, as a true record of the
 * evaluation), `not_found` when it does not exist.
 */
export async function runGovernanceCheck(
  store: FactoredStore,
  experimentId: string,
  options: GovernanceRunOptions = {},
): Promise<GovernanceCheckResult> {
  if (Array.isArray(options)) {
    legacyCall(
      'runGovernanceCheck(store, experimentId, factorNames)',
      "runGovernanceCheck(store, experimentId): it evaluates the factors of the experiment's thresholds (upsertThreshold); to evaluate other factors without logging, queryExperimentResults(store, experimentId, { factors })",
    );
  }
  const at = toIsoString(options.at ?? Date.now(), 'at');
  await store.releaseStatistics({ at });
  return governReleased(store, experimentId, { ...options, at });
}

/** {@link runGovernanceCheck} once the release at `options.at` exists. */
async function governReleased(
  store: FactoredStore,
  experimentId: string,
  options: GovernanceRunOptions & { at: string },
): Promise<GovernanceCheckResult> {
  const experiment = await store.getExperiment(experimentId);
  if (experiment.status !== 'running') {
    throw new FactoredError(
      'conflict',
      `experiment ${experiment.name} is ${experiment.status}; governance only evaluates running experiments (use queryExperimentResults to inspect it).`,
      { details: { experimentId: experiment.id, status: experiment.status } },
    );
  }
  const plan = options.plan !== undefined ? options.plan : await store.getMetricPlan(experiment.id);
  const evaluation = await evaluate(
    store,
    experiment,
    await thresholdFactors(store, experiment),
    { ...options, plan },
    true,
  );
  const decision = computeGovernanceVerdict(evaluation);
  const entry = await logGovernanceVerdict(store, evaluation, decision);
  if (
    decision.verdict === 'conclude' &&
    decision.winner !== null &&
    options.autoConclude !== false
  ) {
    const concluded = await store.transitionExperiment(experiment.id, {
      from: 'running',
      to: 'concluded',
      winner: decision.winner,
    });
    return { entry, evaluation, experiment: concluded, concluded: true };
  }
  return { entry, evaluation, experiment, concluded: false };
}

/** What {@link runGovernanceSweep} did. */
export interface GovernanceSweepResult {
  /** The evaluation time shared by every experiment of the sweep. */
  evaluatedAt: string;
  /** One result per experiment governed successfully, in `listExperiments` order. */
  results: GovernanceCheckResult[];
  /** Experiments whose check failed, with the error; the sweep went on with the others. */
  failures: { experimentId: string; experimentName: string; error: FactoredError }[];
}

/**
 * Runs {@link runGovernanceCheck} on every running experiment, one after the other, all at the
 * same evaluation time and on the one statistics release made at that time (so the log holds
 * released numbers only). One experiment's failure does not stop the sweep: it is reported in
 * `failures` (callers such as the CLI exit non-zero when it is not empty). Requires the service
 * role: a failing release (`unauthorized`, `unavailable`) throws before any experiment is
 * evaluated.
 */
export async function runGovernanceSweep(
  store: FactoredStore,
  options: GovernanceRunOptions = {},
): Promise<GovernanceSweepResult> {
  const evaluatedAt = toIsoString(options.at ?? Date.now(), 'at');
  await store.releaseStatistics({ at: evaluatedAt });
  const experiments = await store.listExperiments({ status: ['running'] });
  const results: GovernanceCheckResult[] = [];
  const failures: GovernanceSweepResult['failures'] = [];
  for (const experiment of experiments) {
    try {
      results.push(await governReleased(store, experiment.id, { ...options, at: evaluatedAt }));
    } catch (error) {
      failures.push({
        experimentId: experiment.id,
        experimentName: experiment.name,
        error: isFactoredError(error)
          ? error
          : new FactoredError(
              'internal',
              `governance of ${experiment.name} failed: ${String(error)}`,
              {
                cause: error,
              },
            ),
      });
    }
  }
  return { evaluatedAt, results, failures };
}

/** Governance log of one experiment, newest first (optionally the latest `limit` rows). */
export function queryGovernanceLog(
  store: FactoredStore,
  experimentId: string,
  options: { limit?: number } = {},
): Promise<GovernanceLogEntry[]> {
  return store.listGovernanceLog({ experimentId, ...options });
}

/** The latest `limit` (default 20) governance log rows over all experiments, newest first. */
export function queryRecentGovernanceLog(
  store: FactoredStore,
  limit = 20,
): Promise<GovernanceLogEntry[]> {
  return store.listGovernanceLog({ limit });
}

/** Governance log rows with one verdict, newest first, optionally for one experiment. */
export function queryGovernanceLogByVerdict(
  store: FactoredStore,
  verdict: GovernanceVerdict,
  options: { experimentId?: string; limit?: number } = {},
): Promise<GovernanceLogEntry[]> {
  return store.listGovernanceLog({ verdict, ...options });
}
