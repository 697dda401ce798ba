import type { GovernanceLogEntry } from '@factoredui/core';
import { useRecentGovernanceLog } from '@factoredui/react';
import type { JSX } from 'react';
import { GUARDRAIL_LABEL, interval, level, num, percent, pValue, signed, time } from './format.js';
import { ScrollRegion } from './ScrollRegion.js';

/** The headline of a logged reason: its text up to the first colon ("Clear winner"). */
function headline(reason: string): string {
  const colon = reason.indexOf(':');
  return colon > 0 && colon < 60 ? reason.slice(0, colon) : reason;
}

/** A minimum effect or margin: `5%` relative, `0.1` absolute. */
function goal(g: { value: number; scale: 'absolute' | 'relative' }): string {
  return g.scale === 'relative' ? percent(g.value) : num(g.value);
}

/**
 * Why a verdict was drawn, as rows: every comparison the verdict weighed (the factors with
 * their released numbers formatted like the lifts table and their own interval level; then the
 * metric plan's primary and guardrails, whose verdict flags are all the log keeps of them, since
 * signed-in users read it), then the SRM check. The sentence the log stores is kept
 * under "Logged reason".
 */
function Reason({ entry }: { entry: GovernanceLogEntry }): JSX.Element {
  const rows = entry.factors.flatMap((f) => f.comparisons.map((c) => ({ f, c })));
  const metricRows = (entry.metrics ?? []).flatMap((m) => m.comparisons.map((c) => ({ m, c })));
  return (
    <div className="reason" data-testid="reason">
      <strong>{headline(entry.reason)}</strong>
      {rows.length > 0 ? (
        <ul className="reason-rows">
          {rows.map(({ f, c }) => (
            <li key={`${f.factor}-${f.path}-${c.variantKey}`} data-testid="reason-row">
              <span className="reason-factor">
                {f.factor} · {c.variantKey}
              </span>
              <span className={`pill pill-outcome-${c.outcome}`}>
                {c.outcome.replace('_', ' ')}
              </span>
              <span className="reason-numbers">
                lift {signed(c.effect)} ({percent(c.relativeLift)}), {level(c.confidenceLevel)} CI{' '}
                {interval(c.ci)}, p {pValue(c.pValue)}, n {c.n.control} / {c.n.treatment}
                {f.threshold
                  ? `, threshold ${f.threshold.operator === 'gte' ? '≥' : '≤'} ${f.threshold.scale === 'relative' ? percent(f.threshold.value) : signed(f.threshold.value)}`
                  : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {metricRows.length > 0 ? (
        <ul className="reason-rows">
          {metricRows.map(({ m, c }) => (
            <li key={`${m.metric}-${c.variantKey}`} data-testid="reason-row">
              <span className="reason-factor">
                {m.metric} · {c.variantKey} · {m.role}
              </span>
              {c.guardrail ? (
                <span className={`pill pill-guardrail-${c.guardrail}`}>
                  {GUARDRAIL_LABEL[c.guardrail]}
                </span>
              ) : (
                <span className={`pill pill-outcome-${c.outcome}`}>
                  {c.outcome.replace('_', ' ')}
                </span>
              )}
              <span className="reason-numbers">
                {c.significant ? 'significant' : 'not significant'}
                {m.role === 'primary'
                  ? c.passesThreshold
                    ? ', reaches its minimum effect'
                    : ', short of its minimum effect'
                  : ''}
                {m.minimumEffect ? `, minimum effect ${goal(m.minimumEffect)}` : ''}
                {m.margin ? `, margin ${goal(m.margin)}` : ''} (the log keeps metric verdicts only;
                numbers in the metrics table)
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="muted small">
        SRM{' '}
        {entry.srm.tested
          ? `p ${pValue(entry.srm.pValue)}${entry.srm.flagged ? ' — flagged' : ''}`
          : 'not tested yet'}
      </div>
      <details>
        <summary className="small">Logged reason</summary>
        <p className="small">{entry.reason}</p>
      </details>
    </div>
  );
}

/** The governance log, newest first; live through the store's `subscribe`. */
export function GovernanceLogPanel(): JSX.Element {
  const { data, error, isLoading } = useRecentGovernanceLog(10);
  return (
    <section className="card panel" aria-labelledby="log-title">
      <div className="section-head">
        <h2 id="log-title">Governance log</h2>
        <span className="live-dot" title="Live: updates as verdicts are appended">
          live
        </span>
      </div>
      {error ? <div className="error-box">{error.message}</div> : null}
      {isLoading ? <p className="empty">Loading…</p> : null}
      {data && data.length === 0 ? (
        <p className="empty">No verdicts yet. Simulate traffic to run a governance sweep.</p>
      ) : null}
      {data && data.length > 0 ? (
        <ScrollRegion label="Governance log entries">
          <table data-testid="governance-log">
            <thead>
              <tr>
                <th>Evaluated</th>
                <th>Verdict</th>
                <th>Winner</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {data.map((entry) => (
                <tr key={entry.id} data-testid="log-row">
                  <td className="nowrap">{time(entry.evaluatedAt)}</td>
                  <td>
                    <span className={`pill pill-${entry.verdict}`}>
                      {entry.verdict.replace('_', ' ')}
                    </span>
                  </td>
                  <td>{entry.winner ?? '—'}</td>
                  <td>
                    <Reason entry={entry} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
    </section>
  );
}
