// @vitest-environment jsdom
import { createExperiment, runGovernanceCheck, startExperiment } from '@factoredui/core';
import { instrumentStore } from '@factoredui/core/testing';
import { FactoredProvider, useGovernanceLog } from '@factoredui/react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './helpers.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function Log({ id }: { id: string }) {
  const { data, isLoading } = useGovernanceLog(id);
  return <p data-testid="log">{isLoading ? 'loading' : `rows:${data?.length}`}</p>;
}

async function seeded() {
  const { user, service } = createStores();
  const draft = await createExperiment(service, {
    name: 'cta-copy',
    path: 'checkout/cta',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
  });
  return { user, service, experiment: await startExperiment(service, draft.id) };
}

describe('the provider’s query cache', () => {
  it('is destroyed after the provider unmounts: no subscription and no timer remain', async () => {
    const { user, experiment } = await seeded();
    const probe = instrumentStore(user);
    const view = render(
      <FactoredProvider store={probe.store} capture={false}>
        <Log id={experiment.id} />
      </FactoredProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('log').textContent).toBe('rows:0'));
    expect(probe.openSubscriptionCount()).toBe(1);
    vi.useFakeTimers();
    view.unmount();
    expect(probe.openSubscriptionCount()).toBe(0);
    // The entry's garbage-collection timer (5 minutes) goes with the cache on the next task.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("survives StrictMode's remount and stays live", async () => {
    const { user, service, experiment } = await seeded();
    render(
      <StrictMode>
        <FactoredProvider store={user} capture={false}>
          <Log id={experiment.id} />
        </FactoredProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('log').textContent).toBe('rows:0'));
    // After the replay's next task: the cache still answers store changes.
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    await act(async () => {
      await runGovernanceCheck(service, experiment.id);
    });
    await waitFor(() => expect(screen.getByTestId('log').textContent).toBe('rows:1'));
  });
});
