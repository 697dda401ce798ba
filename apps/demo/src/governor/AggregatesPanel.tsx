import { AGGREGATE_MIN_USERS, type ComponentFactorAggregate } from '@factoredui/core';
import { useComponentFactors } from '@factoredui/react';
import type { JSX } from 'react';
import { num, tierOf } from './format.js';

/** Factor aggregates per component path (k-anonymous: only paths with enough users). */
export function AggregatesPanel(): JSX.Element {
  const { data, error, isLoading } = useComponentFactors();
  const byPath = new Map<string, ComponentFactorAggregate[]>();
  for (const row of data ?? []) {
    const rows = byPath.get(row.path) ?? [];
    rows.push(row);
    byPath.set(row.path, rows);
  }
  const paths = [...byPath.keys()].sort();
  return (
    <section className="card panel" aria-labelledby="aggregates-title">
      <div className="section-head">
        <h2 id="aggregates-title">Factor aggregates per component</h2>
        <span className="muted small">
          only components with at least {AGGREGATE_MIN_USERS} users are shown
        </span>
      </div>
      {error ? <div className="error-box">{error.message}</div> : null}
      {isLoading ? <p className="empty">Loading…</p> : null}
      {data && data.length === 0 ? (
        <p className="empty">No factors yet. Simulate traffic, which also refreshes factors.</p>
      ) : null}
      <div className="aggregates" data-testid="aggregates">
        {paths.map((path) => (
          <div key={path} className="aggregate">
            <h3>
              <code className="path">{path}</code>
            </h3>
            <table>
              <thead>
                <tr>
                  <th>Factor</th>
                  <th className="num">Users</th>
                  <th className="num">Mean</th>
                  <th className="num">Median</th>
                  <th className="num">p95</th>
                </tr>
              </thead>
              <tbody>
                {(byPath.get(path) ?? []).map((row) => (
                  <tr key={row.factor}>
                    <td>
                      {row.factor}{' '}
                      <span className={`tier tier-${tierOf(row.factor)}`}>
                        {tierOf(row.factor)}
                      </span>
                    </td>
                    <td className="num">{row.userCount}</td>
                    <td className="num">{num(row.mean)}</td>
                    <td className="num">{num(row.median)}</td>
                    <td className="num">{num(row.p95)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </section>
  );
}
