import type {
  ExperimentMetricPlan,
  ExperimentVariantSummary,
  FactorComparison,
} from '@factoredui/core';
import { useExperimentDashboard, useExperimentResults, useMetricPlan } from '@factoredui/react';
import type { JSX } from 'react';
import { GOVERNANCE_OPTIONS } from '../lib/config.js';
import { useRuntime } from '../lib/runtime-context.js';
import { interval, level, num, percent, pValue, signed } from './format.js';
import { MetricsReadout } from './MetricsReadout.js';
import { ScrollRegion } from './ScrollRegion.js';

function liftClass(c: FactorComparison): string {
  if (c.outcome === 'improvement') return 'lift-good';
  if (c.outcome === 'regression') return 'lift-bad';
  return '';
}

/**
 * The lifts, analysed with the experiment's metric plan as governance analyses them: its
 * metrics join the Bonferroni family, so the factor intervals here are at the verdict's level.
 */
function Results({ experimentId }: { experimentId: string }): JSX.Element {
  const plan = useMetricPlan(experimentId);
  // Metric statistics are service-only: without the service role the lifts omit the plan.
  const service = useRuntime().service !== null;
  if (plan.error) return <div className="error-box">{plan.error.message}</div>;
  if (plan.isLoading) return <p className="empty">Loading results…</p>;
  return <Lifts experimentId={experimentId} plan={service ? (plan.data ?? null) : null} />;
}

function Lifts({
  experimentId,
  plan,
}: {
  experimentId: string;
  plan: ExperimentMetricPlan | null;
}): JSX.Element {
  const { data, error, isLoading } = useExperimentResults(experimentId, {
    ...GOVERNANCE_OPTIONS,
    plan,
  });
  if (error) return <div className="error-box">{error.message}</div>;
  if (isLoading || !data) return <p className="empty">Loading results…</p>;
  const rows = data.factors.flatMap((f) => f.comparisons.map((c) => ({ f, c })));
  const metricComparisons = (data.metrics ?? []).reduce((n, m) => n + m.comparisons.length, 0);
  const family = rows.length + metricComparisons;
  return (
    <ScrollRegion label="Lifts over control">
      <table data-testid="lifts">
        <thead>
          <tr>
            <th>Factor</th>
            <th>Variant</th>
            <th className="num">n</th>
            <th className="num">Control</th>
            <th className="num">Variant</th>
            <th className="num">Lift</th>
            <th className="num" title="Each row's interval is at its own confidence level">
              Interval (level)
            </th>
            <th className="num">p</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={9} className="empty">
                No thresholded factors.
              </td>
            </tr>
          ) : (
            rows.map(({ f, c }) => (
              <tr key={`${f.factor}-${f.path}-${c.variantKey}`}>
                <td>
                  <strong>{f.factor}</strong>
                  <div className="muted small">
                    {f.direction === 'higher' ? 'higher is better' : 'lower is better'}
                  </div>
                  <code className="path">{f.path}</code>
                </td>
                <td>{c.variantKey}</td>
                <td className="num nowrap">
                  {c.n.control} / {c.n.treatment}
                </td>
                <td className="num">{num(c.controlMean)}</td>
                <td className="num">{num(c.treatmentMean)}</td>
                <td className={`num ${liftClass(c)}`}>
                  {signed(c.effect)}
                  <div className="muted small">{percent(c.relativeLift)}</div>
                </td>
                <td className="num nowrap" data-testid="interval">
                  {interval(c.ci)}
                  {c.ci ? (
                    <div className="muted small" data-testid="interval-level">
                      {level(c.confidenceLevel)} CI
                    </div>
                  ) : null}
                </td>
                <td className="num">{pValue(c.pValue)}</td>
                <td>
                  <span className={`pill pill-outcome-${c.outcome}`}>
                    {c.outcome.replace('_', ' ')}
                  </span>
                  {c.passesThreshold ? (
                    <div className="muted small">
                      {c.significant
                        ? 'beyond threshold'
                        : 'estimate beyond threshold, not significant'}
                    </div>
                  ) : null}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p className="muted small">
        {data.settings.inference === 'sequential'
          ? 'Always-valid (sequential) intervals'
          : 'Fixed-horizon intervals'}
        , CUPED {data.settings.cuped ? 'on' : 'off'}.{' '}
        {data.settings.multipleComparisons === 'bonferroni' && family > 1
          ? `Bonferroni over ${family} comparisons (${rows.length} factor${rows.length === 1 ? '' : 's'}${metricComparisons > 0 ? ` and ${metricComparisons} of the metric plan` : ''}): each is tested at α = ${num(data.settings.alpha)}/${family}, so its interval is at ${level(1 - data.settings.alpha / family)}.`
          : `Each comparison is tested at α = ${num(data.settings.alpha)}.`}{' '}
        SRM{' '}
        {data.srm.tested
          ? `p = ${pValue(data.srm.pValue)}${data.srm.flagged ? ' — flagged' : ''}`
          : 'not tested yet'}
        .
      </p>
    </ScrollRegion>
  );
}

/** Running and past experiments: variants with assigned/exposed users, and lifts per factor. */
export function ExperimentsPanel(): JSX.Element {
  const { data, error, isLoading } = useExperimentDashboard();
  const service = useRuntime().service !== null;
  const experiments = new Map<string, ExperimentVariantSummary[]>();
  for (const row of data ?? []) {
    const rows = experiments.get(row.experimentId) ?? [];
    rows.push(row);
    experiments.set(row.experimentId, rows);
  }
  return (
    <section className="card panel" aria-labelledby="experiments-title">
      <h2 id="experiments-title">Experiments</h2>
      {error ? <div className="error-box">{error.message}</div> : null}
      {isLoading ? <p className="empty">Loading…</p> : null}
      {!isLoading && experiments.size === 0 ? <p className="empty">No experiments.</p> : null}
      {[...experiments.entries()].map(([id, rows]) => {
        const first = rows[0] as ExperimentVariantSummary;
        return (
          <article key={id} className="experiment" data-testid="experiment">
            <div className="experiment-head">
              <div>
                <strong>{first.experimentName}</strong>{' '}
                <span className={`pill pill-${first.status}`}>{first.status}</span>
                {first.winner ? (
                  <span className="pill pill-conclude">winner: {first.winner}</span>
                ) : null}
              </div>
              <code className="path">{first.path}</code>
            </div>
            <table data-testid="variants">
              <thead>
                <tr>
                  <th>Variant</th>
                  <th className="num">Weight</th>
                  <th className="num">Assigned</th>
                  <th className="num">Exposed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.variantKey}>
                    <td>{row.variantKey}</td>
                    <td className="num">{row.weight}%</td>
                    <td className="num">{row.assignedUsers}</td>
                    <td className="num">{row.exposedUsers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Lifts over control</h3>
            <Results experimentId={id} />
            {service ? (
              <MetricsReadout experimentId={id} />
            ) : (
              <p className="empty">
                Metrics, power and the Bayesian readout need the service role (metric statistics are
                service-only).
              </p>
            )}
          </article>
        );
      })}
    </section>
  );
}
