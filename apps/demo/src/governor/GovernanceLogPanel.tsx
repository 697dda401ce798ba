import { useRecentGovernanceLog } from '@factoredui/react';
import type { JSX } from 'react';
import { time } from './format.js';

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
                <td className="reason">{entry.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
