import { useStoreQuery } from '@factoredui/react';
import type { JSX } from 'react';
import { useMemo } from 'react';
import {
  type MetricReadout,
  type MetricReadoutComparison,
  type MetricReadoutRow,
  metricReadoutQuery,
} from '../lib/metrics.js';
import { GUARDRAIL_LABEL, interval, level, num, percent, pValue, signed } from './format.js';
import { ScrollRegion } from './ScrollRegion.js';

function goalText(row: MetricReadoutRow): string {
  if (!row.goal) return 'monitored, not in the verdict';
  const value = row.goal.scale === 'relative' ? percent(row.goal.value) : num(row.goal.value);
  return row.role === 'primary'
    ? `primary · minimum effect ${row.goal.scale === 'relative' ? value : `+${value}`}`
    : `guardrail · margin ${value}`;
}

function liftClass(c: MetricReadoutComparison): string {
  if (c.outcome === 'improvement') return 'lift-good';
  if (c.outcome === 'regression') return 'lift-bad';
  return '';
}

/** The governance reading of one comparison: the guardrail verdict, or the primary's outcome. */
function Verdict({ row, c }: { row: MetricReadoutRow; c: MetricReadoutComparison }): JSX.Element {
  if (c.guardrail)
    return (
      <span className={`pill pill-guardrail-${c.guardrail}`} data-testid="guardrail-verdict">
        {GUARDRAIL_LABEL[c.guardrail]}
      </span>
    );
  return (
    <>
      <span className={`pill pill-outcome-${c.outcome}`}>{c.outcome.replace('_', ' ')}</span>
      {row.role === 'primary' && c.passesThreshold ? (
        <div className="muted small">
          {c.significant ? 'beyond minimum effect' : 'estimate beyond minimum, not significant'}
        </div>
      ) : null}
    </>
  );
}

function MetricRows({ data }: { data: MetricReadout }): JSX.Element {
  const rows = data.rows.flatMap((row) => row.comparisons.map((c) => ({ row, c })));
  return (
    <ScrollRegion label="Metrics">
      <table data-testid="metric-rows">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Variant</th>
            <th className="num">n</th>
            <th className="num">Control</th>
            <th className="num">Variant</th>
            <th className="num">Lift</th>
            <th className="num" title="Each row's interval is at its own confidence level">
              Interval (level)
            </th>
            <th className="num">p</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={9} className="empty">
                No metrics defined.
              </td>
            </tr>
          ) : (
            rows.map(({ row, c }) => (
              <tr key={`${row.metric}-${c.variantKey}`} data-testid="metric-row">
                <td>
                  <strong>{row.metric}</strong>
                  <div className="muted small">
                    {row.kind} · {row.direction === 'higher' ? 'higher' : 'lower'} is better
                  </div>
                  <div className="muted small" data-testid="metric-role">
                    {goalText(row)}
                  </div>
                </td>
                <td>{c.variantKey}</td>
                <td className="num nowrap">
                  {c.n.control} / {c.n.treatment}
                </td>
                <td className="num">{num(c.controlValue)}</td>
                <td className="num">{num(c.treatmentValue)}</td>
                <td className={`num ${liftClass(c)}`}>
                  {signed(c.effect)}
                  <div className="muted small">{percent(c.relativeLift)}</div>
                </td>
                <td className="num nowrap" data-testid="metric-interval">
                  {interval(c.ci)}
                  {c.ci ? (
                    <div className="muted small">
                      {level(c.confidenceLevel)} CI{c.method === 'delta' ? ', delta method' : ''}
                    </div>
                  ) : null}
                </td>
                <td className="num">{pValue(c.pValue)}</td>
                <td>
                  <Verdict row={row} c={c} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p className="muted small">
        Per exposed visitor, from their events after the first exposure. Guardrails hold when the
        whole interval is above −margin, are breached when it is wholly below (the verdict is then
        flag review), and are undecided otherwise (a winner waits).
      </p>
    </ScrollRegion>
  );
}

function days(value: number): string {
  if (!Number.isFinite(value)) return 'no traffic yet';
  if (value === 0) return 'reached';
  if (value < 1) return `${num(value * 24, 2)} hours`;
  return `${num(value, 3)} days`;
}

function PowerPanel({ data }: { data: MetricReadout }): JSX.Element {
  const p = data.power;
  if (!p)
    return (
      <p className="empty" data-testid="power-note">
        {data.powerNote}
      </p>
    );
  const items: [string, string, string][] = [
    ['Baseline (control)', num(p.baseline), `${p.metric}, variance ${num(p.variance)}`],
    [
      'Minimum detectable effect',
      signed(p.minimumDetectableEffect),
      `${percent(p.minimumDetectableEffect / p.baseline)} of the baseline`,
    ],
    [
      'Sample size per variant',
      num(p.requiredPerVariant),
      `power ${num(p.power * 100)}%, α ${num(p.alpha)}`,
    ],
    ['Per variant so far', num(p.usersPerVariantSoFar), `${num(p.usersPerVariantPerDay)} a day`],
    [
      'Still needed',
      num(p.remainingVisitors),
      `${num(p.remainingPerVariant)} per variant, all arms`,
    ],
    data.status === 'running'
      ? ['Expected time to a decision', days(p.days), 'at the observed traffic']
      : [
          'Expected time to a decision',
          'decided',
          `the experiment is ${data.status}; a rerun would take ${days(p.days)}`,
        ],
  ];
  return (
    <div data-testid="power">
      <dl className="stat-grid">
        {items.map(([term, value, note]) => (
          <div key={term} className="stat">
            <dt className="muted small">{term}</dt>
            <dd>
              <strong data-testid="power-value">{value}</strong>
              <div className="muted small">{note}</div>
            </dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        Fixed-horizon, two-sided normal approximation. Governance's sequential intervals pay for
        looking at every sweep, so these sizes are lower bounds; a true effect larger than the
        minimum is detected sooner.
      </p>
    </div>
  );
}

function BayesianPanel({ data }: { data: MetricReadout }): JSX.Element {
  const rows = data.rows.flatMap((row) => row.comparisons.map((c) => ({ row, c })));
  return (
    <ScrollRegion label="Bayesian readout">
      <table data-testid="bayesian">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Variant</th>
            <th className="num">Chance to beat control</th>
            <th className="num" title="Expected loss of shipping the variant, in the metric's unit">
              Expected loss (ship)
            </th>
            <th className="num" title="Expected loss of keeping control, in the metric's unit">
              Expected loss (keep)
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ row, c }) => (
            <tr key={`${row.metric}-${c.variantKey}`} data-testid="bayesian-row">
              <td>
                <strong>{row.metric}</strong>
              </td>
              <td>{c.variantKey}</td>
              <td className="num">
                {c.bayesian ? `${(c.bayesian.chanceToBeatControl * 100).toFixed(1)}%` : '—'}
              </td>
              <td className="num">{num(c.bayesian?.expectedLossTreatment)}</td>
              <td className="num">{num(c.bayesian?.expectedLossControl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        A readout, not a stopping rule: flat priors and a normal approximation of each difference.
        The verdict never uses it — its probabilities carry no error guarantee when you look
        repeatedly.
      </p>
    </ScrollRegion>
  );
}

/**
 * An experiment's metrics as governance reads them now: per-variant numbers with each
 * interval's own level and the guardrail verdicts, the power of the primary metric with the
 * expected time to a decision, and the Bayesian readout. Service role (metric statistics).
 */
export function MetricsReadout({ experimentId }: { experimentId: string }): JSX.Element {
  const query = useMemo(() => metricReadoutQuery(experimentId), [experimentId]);
  const { data, error, isLoading } = useStoreQuery(query);
  if (error) return <div className="error-box">{error.message}</div>;
  if (isLoading || !data) return <p className="empty">Loading metrics…</p>;
  return (
    <div data-testid="metrics">
      <h3>Metrics and guardrails</h3>
      <MetricRows data={data} />
      <h3>Power and duration</h3>
      <PowerPanel data={data} />
      <h3>Bayesian readout</h3>
      <BayesianPanel data={data} />
    </div>
  );
}
