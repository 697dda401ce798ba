import { isFactoredError } from '@factoredui/core';
import { type JSX, useState } from 'react';
import { useRuntime } from '../lib/runtime-context.js';
import type { SimulationProgress, SimulationResult } from '../lib/simulate.js';

const PHASES: Record<SimulationProgress['phase'], string> = {
  visitors: 'Visitors shopping',
  factors: 'Refreshing factors and snapshots',
  governance: 'Running the governance sweep',
  saving: 'Saving in this browser',
  done: 'Done',
};

/** "Simulate traffic": synthetic visitors through the real capture pipeline, then governance. */
export function SimulatePanel(): JSX.Element {
  const runtime = useRuntime();
  const [users, setUsers] = useState(200);
  const [progress, setProgress] = useState<SimulationProgress | null>(null);
  const [result, setResult] = useState<SimulationResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = progress !== null && progress.phase !== 'done';
  const { simulate } = runtime;
  const unavailable = !simulate;

  const run = async () => {
    if (!simulate) return;
    setError(null);
    setResult(null);
    setProgress({ phase: 'visitors', done: 0, total: users });
    try {
      const outcome = await simulate(users, setProgress);
      setResult(outcome);
    } catch (caught) {
      setError(isFactoredError(caught) ? `${caught.code}: ${caught.message}` : String(caught));
      setProgress(null);
    }
  };

  const fraction = progress
    ? progress.phase === 'visitors'
      ? (0.85 * progress.done) / Math.max(1, progress.total)
      : progress.phase === 'factors'
        ? 0.9
        : progress.phase === 'governance'
          ? 0.94
          : progress.phase === 'saving'
            ? 0.97
            : 1
    : 0;

  return (
    <section className="card panel" aria-labelledby="simulate-title">
      <div className="section-head">
        <div>
          <h2 id="simulate-title">Simulate traffic</h2>
          <p className="muted small">
            Synthetic visitors shop through the real capture pipeline (one <code>initCapture</code>{' '}
            per visitor, simulated clock), then factors are refreshed and snapshotted and a
            governance sweep runs.
          </p>
        </div>
      </div>
      <div className="toolbar">
        <label>
          Visitors
          <input
            type="number"
            min={10}
            max={2000}
            step={10}
            value={users}
            onChange={(e) => setUsers(Math.max(10, Math.min(2000, Number(e.target.value) || 10)))}
            disabled={running}
          />
        </label>
        <button
          type="button"
          className="btn btn-primary"
          onClick={run}
          disabled={running || unavailable}
          data-testid="simulate"
        >
          {running ? 'Simulating…' : 'Simulate traffic'}
        </button>
        <div
          className="progress"
          role="progressbar"
          aria-label="Simulation progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(fraction * 100)}
        >
          <div style={{ width: `${fraction * 100}%` }} />
        </div>
        <span className="muted small progress-label" data-testid="progress-label">
          {progress
            ? `${PHASES[progress.phase]}${progress.phase === 'visitors' ? ` ${progress.done}/${progress.total}` : ''}`
            : 'Idle'}
        </span>
        {runtime.mode === 'memory' ? (
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              // Erasing every visitor, verdict and the signing key cannot be undone: ask first.
              if (
                window.confirm(
                  'Erase all demo data (visitors, events, factors, verdicts, the cart and the signing key) and reload?',
                )
              )
                void runtime.reset();
            }}
            disabled={running}
          >
            Reset demo data
          </button>
        ) : null}
      </div>
      {unavailable ? (
        <p className="muted small">
          Simulation needs a service role (see the README, Supabase mode).
        </p>
      ) : null}
      {error ? (
        <div className="error-box" role="alert">
          {error}
        </div>
      ) : null}
      {result ? (
        <p className="sim-result" data-testid="sim-result">
          {result.users} visitors wrote {result.events.toLocaleString('en-US')} events; assigned{' '}
          {Object.entries(result.assigned)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'nobody (no running experiment)'}
          ; {result.factorValues.toLocaleString('en-US')} factor values.{' '}
          {result.sweep.results.map((r) => (
            <span key={r.entry.id}>
              Verdict: <span className={`pill pill-${r.entry.verdict}`}>{r.entry.verdict}</span>
              {r.entry.winner ? ` (winner ${r.entry.winner})` : ''}.{' '}
            </span>
          ))}
          {result.sweep.failures.map((f) => (
            <span key={f.experimentId} className="field-error">
              {f.experimentName}: {f.error.message}{' '}
            </span>
          ))}
        </p>
      ) : null}
    </section>
  );
}
