import { FactoredError } from '../errors.js';
import { analyzeMetric, type MetricAnalysis, type MetricComparison } from '../metrics/analysis.js';
import type { MetricDirection, MetricKind, MetricVariantStatistics } from '../metrics/types.js';
import type { GovernanceSettings, ThresholdScale } from './types.js';

/**
 * The primary metric of an experiment: governance concludes only on a significant improvement
 * of it that reaches `minimumEffect` (in the metric's better direction; default 0, i.e. any
 * significant improvement).
 */
export interface PrimaryMetricGoal {
  metric: string;
  /** Pin a version; default the latest at evaluation time. */
  version?: number;
  /** Smallest improvement worth shipping, ≥ 0, in `scale` units. Default 0. */
  minimumEffect?: number;
  /** Default `absolute`. */
  scale?: ThresholdScale;
}

/**
 * A guardrail: a metric that must not get worse by more than `margin` (non-inferiority).
 * Breached when the whole interval of the effect lies beyond `-margin` in the metric's worse
 * direction; non-inferior when the whole interval lies above it; undecided otherwise.
 */
export interface GuardrailGoal {
  metric: string;
  version?: number;
  /** Tolerated worsening, ≥ 0, in `scale` units (`0.01` relative = 1%). */
  margin: number;
  /** Default `relative`. */
  scale?: ThresholdScale;
}

/** What an experiment is decided on beside its factor thresholds (DESIGN §18). */
export interface ExperimentMetricPlan {
  /** The primary metric; `null` decides on the thresholded factors as before. */
  primary: PrimaryMetricGoal | null;
  guardrails: readonly GuardrailGoal[];
}

/** Where a comparison stands against a guardrail's margin. */
export type GuardrailStatus = 'non_inferior' | 'breached' | 'undecided';

/** A metric comparison with what governance read from it. */
export interface MetricGoalComparison extends MetricComparison {
  /** Primary: the improvement reaches `minimumEffect` (by its point estimate). */
  passesThreshold: boolean;
  /** Guardrails: where the interval stands against `-margin`; `null` for the primary. */
  guardrail: GuardrailStatus | null;
}

/** One metric of the plan as evaluated and logged: every per-variant number. */
export interface MetricGoalEvaluation extends Omit<MetricAnalysis, 'comparisons'> {
  role: 'primary' | 'guardrail';
  /** The primary's minimum effect, or `null`. */
  minimumEffect: { value: number; scale: ThresholdScale } | null;
  /** The guardrail's margin, or `null`. */
  margin: { value: number; scale: ThresholdScale } | null;
  comparisons: MetricGoalComparison[];
}

/** A plan entry with its statistics: what {@link evaluateMetricGoal} needs. */
export interface MetricGoalInput {
  role: 'primary' | 'guardrail';
  metric: { name: string; version: number; kind: MetricKind; direction: MetricDirection };
  statistics: readonly MetricVariantStatistics[];
  /** Primary: minimum effect; guardrail: margin. */
  value: number;
  scale: ThresholdScale;
}

/** Throws `invalid_input` unless `plan` is a well-formed {@link ExperimentMetricPlan}. */
export function assertValidMetricPlan(plan: unknown): asserts plan is ExperimentMetricPlan {
  const fail = (field: string, message: string): never => {
    throw new FactoredError('invalid_input', `metric plan ${field}: ${message}.`, {
      details: { field },
    });
  };
  if (typeof plan !== 'object' || plan === null) fail('plan', 'must be an object');
  const p = plan as Record<string, unknown>;
  const scaleOk = (s: unknown) => s === undefined || s === 'absolute' || s === 'relative';
  if (p.primary !== null) {
    const primary = p.primary as Record<string, unknown> | undefined;
    if (typeof primary !== 'object' || typeof primary?.metric !== 'string' || !primary.metric)
      fail('primary', 'must be null or { metric, minimumEffect?, scale? }');
    const min = (primary as Record<string, unknown>).minimumEffect;
    if (min !== undefined && (typeof min !== 'number' || !Number.isFinite(min) || min < 0))
      fail('primary.minimumEffect', 'must be a finite number >= 0');
    if (!scaleOk((primary as Record<string, unknown>).scale))
      fail('primary.scale', 'must be absolute or relative');
  }
  if (!Array.isArray(p.guardrails)) fail('guardrails', 'must be an array');
  (p.guardrails as unknown[]).forEach((g, i) => {
    const r = g as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || typeof r.metric !== 'string' || !r.metric)
      fail(`guardrails[${i}]`, 'must be { metric, margin, scale? }');
    if (typeof r.margin !== 'number' || !Number.isFinite(r.margin) || r.margin < 0)
      fail(`guardrails[${i}].margin`, 'must be a finite number >= 0');
    if (!scaleOk(r.scale)) fail(`guardrails[${i}].scale`, 'must be absolute or relative');
  });
}

/** The effect and interval turned so that positive is better, on the goal's scale. */
function benefit(
  c: MetricComparison,
  direction: MetricDirection,
  scale: ThresholdScale,
): { point: number; ci: [number, number] } | null {
  const point = scale === 'relative' ? c.relativeLift : c.effect;
  const ci = scale === 'relative' ? c.relativeCi : c.ci;
  if (point === null || ci === null) return null;
  const s = direction === 'higher' ? 1 : -1;
  const a = s * ci[0];
  const b = s * ci[1];
  return { point: s * point, ci: [Math.min(a, b), Math.max(a, b)] };
}

/** Where one comparison stands against a guardrail margin (see {@link GuardrailGoal}). */
export function guardrailStatus(
  c: MetricComparison,
  direction: MetricDirection,
  margin: number,
  scale: ThresholdScale,
): GuardrailStatus {
  const b = benefit(c, direction, scale);
  if (!b) return 'undecided';
  if (b.ci[1] < -margin) return 'breached';
  if (b.ci[0] > -margin) return 'non_inferior';
  return 'undecided';
}

/**
 * Analyses one metric of the plan ({@link analyzeMetric} at `alpha`) and reads each
 * comparison: for the primary whether it passes its minimum effect, for a guardrail its
 * {@link GuardrailStatus}.
 */
export function evaluateMetricGoal(
  input: MetricGoalInput,
  variantKeys: readonly string[],
  settings: GovernanceSettings,
  alpha: number,
): MetricGoalEvaluation {
  const analysis = analyzeMetric(input, variantKeys, settings, alpha);
  const setting = { value: input.value, scale: input.scale };
  return {
    ...analysis,
    role: input.role,
    minimumEffect: input.role === 'primary' ? setting : null,
    margin: input.role === 'guardrail' ? setting : null,
    comparisons: analysis.comparisons.map((c) => {
      const b = benefit(c, input.metric.direction, input.scale);
      return {
        ...c,
        passesThreshold:
          input.role === 'primary' && b !== null && b.point > 0 && b.point >= input.value,
        guardrail:
          input.role === 'guardrail'
            ? guardrailStatus(c, input.metric.direction, input.value, input.scale)
            : null,
      };
    }),
  };
}

/** What the governance log keeps of one comparison of a plan metric: flags, no numbers. */
export interface LoggedMetricComparison {
  variantKey: string;
  controlKey: string;
  significant: boolean;
  outcome: MetricComparison['outcome'];
  /** Primary: the improvement reaches its minimum effect. */
  passesThreshold: boolean;
  /** Guardrails: where the interval stands against the margin; `null` for the primary. */
  guardrail: GuardrailStatus | null;
}

/**
 * What the governance log keeps of one metric of the plan (DESIGN §15, §18): which metric and
 * version played which role with which setting, and per treatment the verdict flags — never a
 * count, value, effect, interval or p-value. Signed-in users read the log, and metric
 * statistics are not released under the k-anonymity rule, so exact metric numbers in it could
 * be differenced between two sweeps down to a single user. The numbers stay in the
 * {@link MetricGoalEvaluation} the service computed (`GovernanceCheckResult.evaluation`).
 */
export interface LoggedMetricOutcome {
  role: 'primary' | 'guardrail';
  metric: string;
  version: number;
  kind: MetricKind;
  direction: MetricDirection;
  /** The primary's minimum effect (a setting of the plan), or `null`. */
  minimumEffect: { value: number; scale: ThresholdScale } | null;
  /** The guardrail's margin (a setting of the plan), or `null`. */
  margin: { value: number; scale: ThresholdScale } | null;
  comparisons: LoggedMetricComparison[];
}

/** Strips every number computed from user data from evaluated metrics (see {@link LoggedMetricOutcome}). */
export function loggedMetricOutcomes(
  metrics: readonly (MetricGoalEvaluation | LoggedMetricOutcome)[],
): LoggedMetricOutcome[] {
  return metrics.map((m) => ({
    role: m.role,
    metric: m.metric,
    version: m.version,
    kind: m.kind,
    direction: m.direction,
    minimumEffect: m.minimumEffect ? { ...m.minimumEffect } : null,
    margin: m.margin ? { ...m.margin } : null,
    comparisons: m.comparisons.map((c) => ({
      variantKey: c.variantKey,
      controlKey: c.controlKey,
      significant: c.significant,
      outcome: c.outcome,
      passesThreshold: c.passesThreshold,
      guardrail: c.guardrail,
    })),
  }));
}
