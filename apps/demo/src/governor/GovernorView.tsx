import { FactoredProvider } from '@factoredui/react';
import type { JSX } from 'react';
import { useRuntime } from '../lib/runtime-context.js';
import { useScreen } from '../shop/useScreen.js';
import { AggregatesPanel } from './AggregatesPanel.js';
import { ExperimentsPanel } from './ExperimentsPanel.js';
import { GovernanceLogPanel } from './GovernanceLogPanel.js';
import { SimulatePanel } from './SimulatePanel.js';

/**
 * The governor: what a product team watches. Reads with the service role (every user's
 * aggregates, exact statistics); no capture of its own.
 */
export function GovernorView(): JSX.Element {
  useScreen('admin/governor', 'Governor');
  const runtime = useRuntime();
  const store = runtime.service ?? runtime.store;
  return (
    <FactoredProvider store={store} capture={false}>
      <div className="governor" data-factored-ignore="">
        <div>
          <h1>Governor</h1>
          <p className="lede">
            Experiments, lifts with confidence intervals, metrics with guardrails, power and a
            Bayesian readout, factor aggregates per component and the live governance log — all read
            from the store.
          </p>
        </div>
        <SimulatePanel />
        <ExperimentsPanel />
        <GovernanceLogPanel />
        <AggregatesPanel />
      </div>
    </FactoredProvider>
  );
}
