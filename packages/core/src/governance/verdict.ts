import type { MetricGoalComparison, MetricGoalEvaluation } from './goals.js';
import type { ExperimentEvaluation, GovernanceDecision } from './types.js';

const fmt = (x: number | null): string =>
  x === null ? 'n/a' : Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(2);

/**
 * Names a metric comparison without any number computed from user data: the reason is logged,
 * signed-in users read the log, and metric statistics are not released (DESIGN §15). The
 * numbers are in the evaluation.
 */
const describeMetric = (m: MetricGoalEvaluation, c: MetricGoalComparison): string => {
  const status = c.guardrail ?? (c.significant ? `significant ${c.outcome}` : 'not significant');
  return `${m.metric} v${m.version} of ${c.variantKey} (${status})`;
};

const describeSetting = (s: { value: number; scale: string } | null): string =>
  s === null ? 'n/a' : `${fmt(s.value)}${s.scale === 'relative' ? ' (relative)' : ''}`;

/** Guardrail comparisons of `variantKey` that are not yet shown non-inferior. */
function pendingGuardrails(metrics: readonly MetricGoalEvaluation[], variantKey: string): string[] {
  return metrics
    .filter((m) => m.role === 'guardrail')
    .flatMap((m) =>
      m.comparisons
        .filter((c) => c.variantKey === variantKey && c.guardrail !== 'non_inferior')
        .map((c) => `${describeMetric(m, c)} vs margin ${describeSetting(m.margin)}`),
    );
}

/**
 * Draws the verdict of DESIGN §7 and §18 from an evaluation, in this order:
 *
 * 1. sample ratio mismatch (SRM p < `srmAlpha`) → `flag_review`: assignment is broken, no
 *    estimate can be trusted;
 * 2. any significant regression on any thresholded factor → `flag_review`;
 * 2a. any guardrail metric breached (its whole interval worse than the non-inferiority
 *    margin) for any treatment → `flag_review`;
 * 2b. with a primary metric: any variant below `minSamplePerVariant` exposed users →
 *    `continue`; significant improvements of the primary reaching its minimum effect: none →
 *    `continue`, several variants → `flag_review`, one → `conclude` with it once every
 *    guardrail of that variant is shown non-inferior (`continue` until then);
 * 3. no thresholded factor → `continue` (nothing to decide on);
 * 4. any variant with fewer than `minSamplePerVariant` users with a value, on any factor →
 *    `continue`;
 * 5. the comparisons that are significant improvements passing their threshold: none →
 *    `continue`; all for one variant → `conclude` with it; for several variants →
 *    `flag_review` (the factors, or two treatments on one factor, disagree on the winner).
 *
 * Without a primary metric, a factor winner also waits for its guardrails (step 5). A
 * significant improvement that misses the practical threshold neither concludes nor blocks.
 * Pure: the same evaluation always gives the same decision.
 */
export function computeGovernanceVerdict(evaluation: ExperimentEvaluation): GovernanceDecision {
  const { srm, factors, settings } = evaluation;
  if (srm.flagged) {
    const counts = Object.entries(evaluation.assigned)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    return {
      verdict: 'flag_review',
      winner: null,
      reason: `Sample ratio mismatch: assigned ${counts} vs weights ${Object.values(evaluation.weights).join('/')} (chi-square p = ${fmt(srm.pValue)} < ${settings.srmAlpha}). Assignment or logging is broken; fix it before trusting any result.`,
    };
  }
  const regressions = factors.flatMap((f) =>
    f.comparisons
      .filter((c) => c.outcome === 'regression')
      .map(
        (c) =>
          `${c.variantKey} worsens ${f.factor} on ${f.path} by ${fmt(c.effect)} (CI ${fmt(c.ci?.[0] ?? null)}..${fmt(c.ci?.[1] ?? null)}, p = ${fmt(c.pValue)})`,
      ),
  );
  if (regressions.length > 0) {
    return {
      verdict: 'flag_review',
      winner: null,
      reason: `Significant regression: ${regressions.join('; ')}.`,
    };
  }
  const metrics = evaluation.metrics ?? [];
  const breaches = metrics
    .filter((m) => m.role === 'guardrail')
    .flatMap((m) =>
      m.comparisons
        .filter((c) => c.guardrail === 'breached')
        .map(
          (c) => `${describeMetric(m, c)} is worse than the margin ${describeSetting(m.margin)}`,
        ),
    );
  if (breaches.length > 0) {
    return {
      verdict: 'flag_review',
      winner: null,
      reason: `Guardrail breached: ${breaches.join('; ')}.`,
    };
  }
  const primary = metrics.find((m) => m.role === 'primary');
  if (primary) {
    const few = primary.variants
      .filter((v) => v.n < settings.minSamplePerVariant)
      .map((v) => v.variantKey);
    if (few.length > 0) {
      return {
        verdict: 'continue',
        winner: null,
        reason: `Below the minimum sample of ${settings.minSamplePerVariant} exposed users per variant on ${primary.metric} yet: ${few.join(', ')}.`,
      };
    }
    const wins = primary.comparisons.filter(
      (c) => c.outcome === 'improvement' && c.passesThreshold,
    );
    if (wins.length === 0) {
      return {
        verdict: 'continue',
        winner: null,
        reason: `No significant improvement of the primary metric ${primary.metric} reaching its minimum effect yet, and no breach.`,
      };
    }
    const described = wins.map((c) => describeMetric(primary, c)).join('; ');
    if (wins.length > 1) {
      return {
        verdict: 'flag_review',
        winner: null,
        reason: `Several variants improve the primary metric (${described}). A human must choose.`,
      };
    }
    const winner = (wins[0] as MetricGoalComparison).variantKey;
    const pending = pendingGuardrails(metrics, winner);
    if (pending.length > 0) {
      return {
        verdict: 'continue',
        winner: null,
        reason: `${described} improves the primary metric, but guardrails are not yet shown non-inferior: ${pending.join('; ')}.`,
      };
    }
    return {
      verdict: 'conclude',
      winner,
      reason: `Clear winner on the primary metric: ${described}.`,
    };
  }
  if (factors.length === 0) {
    return {
      verdict: 'continue',
      winner: null,
      reason:
        'No thresholds apply to this experiment; add one with upsertThreshold to let governance decide.',
    };
  }
  const short = factors.flatMap((f) =>
    f.variants
      .filter((v) => v.n < settings.minSamplePerVariant)
      .map((v) => `${v.variantKey} has ${v.n} on ${f.factor}`),
  );
  if (short.length > 0) {
    return {
      verdict: 'continue',
      winner: null,
      reason: `Below the minimum sample of ${settings.minSamplePerVariant} users with a value per variant: ${short.join(', ')}.`,
    };
  }
  const wins = factors.flatMap((f) =>
    f.comparisons
      .filter((c) => c.outcome === 'improvement' && c.passesThreshold)
      .map((c) => ({ factor: f.factor, path: f.path, comparison: c })),
  );
  if (wins.length === 0) {
    return {
      verdict: 'continue',
      winner: null,
      reason: 'No significant improvement beyond its threshold yet, and no significant regression.',
    };
  }
  const winners = [...new Set(wins.map((w) => w.comparison.variantKey))];
  const described = wins
    .map(
      (w) =>
        `${w.comparison.variantKey} improves ${w.factor} on ${w.path} by ${fmt(w.comparison.effect)} (CI ${fmt(w.comparison.ci?.[0] ?? null)}..${fmt(w.comparison.ci?.[1] ?? null)}, p = ${fmt(w.comparison.pValue)})`,
    )
    .join('; ');
  if (winners.length > 1) {
    return {
      verdict: 'flag_review',
      winner: null,
      reason: `Winners disagree (${winners.join(' vs ')}): ${described}. A human must choose.`,
    };
  }
  const pending = pendingGuardrails(metrics, winners[0] as string);
  if (pending.length > 0) {
    return {
      verdict: 'continue',
      winner: null,
      reason: `Winner ${winners[0]} (${described}) waits for its guardrails to be shown non-inferior: ${pending.join('; ')}.`,
    };
  }
  return {
    verdict: 'conclude',
    winner: winners[0] as string,
    reason: `Clear winner: ${described}.`,
  };
}
