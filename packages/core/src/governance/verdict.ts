import type { ExperimentEvaluation, GovernanceDecision } from './types.js';

const fmt = (x: number | null): string =>
  x === null ? 'n/a' : Math.abs(x) >= 1e-3 || x === 0 ? x.toPrecision(4) : x.toExponential(2);

/**
 * Draws the verdict of DESIGN §7 from an evaluation, in this order:
 *
 * 1. sample ratio mismatch (SRM p < `srmAlpha`) → `flag_review`: assignment is broken, no
 *    estimate can be trusted;
 * 2. any significant regression on any thresholded factor → `flag_review`;
 * 3. no thresholded factor → `continue` (nothing to decide on);
 * 4. any variant with fewer than `minSamplePerVariant` users with a value, on any factor →
 *    `continue`;
 * 5. the comparisons that are significant improvements passing their threshold: none →
 *    `continue`; all for one variant → `conclude` with it; for several variants →
 *    `flag_review` (the factors, or two treatments on one factor, disagree on the winner).
 *
 * A significant improvement that misses the practical threshold neither concludes nor blocks.
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
  return {
    verdict: 'conclude',
    winner: winners[0] as string,
    reason: `Clear winner: ${described}.`,
  };
}
