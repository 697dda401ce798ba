import {
  AGGREGATE_MIN_USERS,
  type ComponentFactorAggregate,
  FACTOR_CATALOG,
  type FactorName,
} from '@factoredui/core';
import { useComponentFactors } from '@factoredui/react';
import { type JSX, useState } from 'react';
import { num } from './format.js';
import { ScrollRegion } from './ScrollRegion.js';

/** The factors shown as columns: the alarm and diagnostic tiers (structural ones on demand). */
const BEHAVIORAL = FACTOR_CATALOG.filter((f) => f.tier !== 'structural').map((f) => f.name);
const STRUCTURAL = FACTOR_CATALOG.filter((f) => f.tier === 'structural').map((f) => f.name);

const SHORT: Partial<Record<FactorName, string>> = {
  completion_rate: 'completion',
  drop_off_rate: 'drop-off',
  error_rate: 'errors',
  retry_count: 'retries',
  rage_click_count: 'rage clicks',
  dead_click_count: 'dead clicks',
  scroll_reversal_count: 'scroll rev.',
  hesitation_ms: 'hesitation ms',
  component_depth: 'depth',
  sibling_count: 'siblings',
  form_field_count: 'form fields',
};

/**
 * Factor aggregates per component path: one row per path, the mean of each factor per column
 * (median and p95 in the tooltip). The store only returns paths with enough users
 * (k-anonymity).
 */
export function AggregatesPanel(): JSX.Element {
  const { data, error, isLoading } = useComponentFactors();
  const [structural, setStructural] = useState(false);
  const columns = structural ? STRUCTURAL : BEHAVIORAL;
  const byPath = new Map<string, Map<FactorName, ComponentFactorAggregate>>();
  for (const row of data ?? []) {
    const rows = byPath.get(row.path) ?? new Map<FactorName, ComponentFactorAggregate>();
    rows.set(row.factor, row);
    byPath.set(row.path, rows);
  }
  const paths = [...byPath.keys()].sort();
  const tier = (factor: FactorName) => FACTOR_CATALOG.find((f) => f.name === factor)?.tier ?? '';
  return (
    <section className="card panel" aria-labelledby="aggregates-title">
      <div className="section-head">
        <div>
          <h2 id="aggregates-title">Factor aggregates per component</h2>
          <p className="muted small">
            Mean per user over the last 7 days (hover a cell for median and p95). Components with
            fewer than {AGGREGATE_MIN_USERS} users are never shown.
          </p>
        </div>
        <fieldset className="segmented">
          <legend className="sr-only">Factor tiers</legend>
          <button type="button" aria-pressed={!structural} onClick={() => setStructural(false)}>
            Alarm & diagnostic
          </button>
          <button type="button" aria-pressed={structural} onClick={() => setStructural(true)}>
            Structural
          </button>
        </fieldset>
      </div>
      {error ? <div className="error-box">{error.message}</div> : null}
      {isLoading ? <p className="empty">Loading…</p> : null}
      {data && data.length === 0 ? (
        <p className="empty">No factors yet. Simulate traffic, which also refreshes factors.</p>
      ) : null}
      {paths.length > 0 ? (
        <ScrollRegion label="Factor aggregates per component">
          <table className="matrix" data-testid="aggregates">
            <thead>
              <tr>
                <th>Component path</th>
                <th className="num">Users</th>
                {columns.map((factor) => (
                  <th key={factor} className="num" title={factor}>
                    {SHORT[factor] ?? factor}
                    <span className={`tier tier-${tier(factor)}`}>{tier(factor)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {paths.map((path) => {
                const rows = byPath.get(path) ?? new Map();
                const users = Math.max(...[...rows.values()].map((r) => r.userCount));
                return (
                  <tr key={path}>
                    <td>
                      <code className="path">{path}</code>
                    </td>
                    <td className="num">{users}</td>
                    {columns.map((factor) => {
                      const row = rows.get(factor);
                      return (
                        <td
                          key={factor}
                          className="num"
                          title={
                            row
                              ? `${factor}: median ${num(row.median)}, p95 ${num(row.p95)}, n ${row.userCount}`
                              : `${factor}: no value`
                          }
                        >
                          {row ? num(row.mean) : '—'}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
    </section>
  );
}
