// @vitest-environment jsdom
import { createExperiment, startExperiment } from '@factoredui/core';
import { FactoredProvider, useMetricPlan, useMetrics } from '@factoredui/react';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createStores } from './helpers.js';

afterEach(cleanup);

function Metrics({ experimentId }: { experimentId: string }) {
  const metrics = useMetrics();
  const plan = useMetricPlan(experimentId);
  return (
    <>
      <output aria-label="metrics">
        {metrics.data?.map((m) => `${m.name}@${m.version}`).join(',') ?? 'loading'}
      </output>
      <output aria-label="plan">
        {plan.isLoading
          ? 'loading'
          : plan.data
            ? `${plan.data.primary?.metric}|${plan.data.guardrails.map((g) => `${g.metric}>${g.margin}`).join(',')}`
            : 'none'}
      </output>
    </>
  );
}

describe('metric hooks', () => {
  it('useMetrics and useMetricPlan read for a user and update live when the service changes them', async () => {
    const { user, service } = createStores();
    const draft = await createExperiment(service, {
      name: 'checkout-cta',
      path: 'shop/checkout/cta',
      variants: [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ],
    });
    const experiment = await startExperiment(service, draft.id);
    await service.defineMetric({
      name: 'purchase',
      kind: 'conversion',
      direction: 'higher',
      event: 'purchase',
    });
    render(
      <FactoredProvider store={user} capture={false}>
        <Metrics experimentId={experiment.id} />
      </FactoredProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText('metrics').textContent).toBe('purchase@1'));
    expect(screen.getByLabelText('plan').textContent).toBe('none');

    await service.defineMetric({
      name: 'purchase',
      kind: 'conversion',
      direction: 'higher',
      event: 'purchase',
      windowMs: 86_400_000,
    });
    await service.setMetricPlan(experiment.id, {
      primary: { metric: 'purchase' },
      guardrails: [{ metric: 'revenue', margin: 0.02 }],
    });
    await waitFor(() => expect(screen.getByLabelText('metrics').textContent).toBe('purchase@2'));
    await waitFor(() =>
      expect(screen.getByLabelText('plan').textContent).toBe('purchase|revenue>0.02'),
    );
  });
});
