// @vitest-environment jsdom
import {
  createExperiment,
  createFlagClient,
  FactoredError,
  type FactoredStore,
  serializeFlagState,
  startExperiment,
} from '@factoredui/core';
import { FactoredProvider, type UseFlagResult, useFlag } from '@factoredui/react';
import type { MemoryStore } from '@factoredui/store-memory';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './helpers.js';

afterEach(cleanup);

async function runningExperiment(service: MemoryStore) {
  const experiment = await createExperiment(service, {
    name: 'cta-copy',
    path: 'checkout/review/cta',
    variants: [
      { key: 'control', weight: 50, config: { label: 'Pay' } },
      { key: 'treatment', weight: 50, config: { label: 'Pay securely' } },
    ],
  });
  return startExperiment(service, experiment.id);
}

/** Renders the flag and remembers what every render saw. */
function Cta({ renders }: { renders: UseFlagResult[] }) {
  const flag = useFlag('cta-copy');
  renders.push(flag);
  if (flag.isLoading) return <p>loading</p>;
  return <button type="button">{String(flag.config?.label ?? 'default')}</button>;
}

describe('useFlag', () => {
  it('renders the bootstrapped variant on the first render and records one exposure', async () => {
    const { user, service } = createStores();
    const experiment = await runningExperiment(service);
    // What a server does: load a client for the user, evaluate, serialize.
    const server = createFlagClient({ store: user });
    await server.ready();
    const expected = server.evaluate('cta-copy');
    await waitFor(async () =>
      expect(await service.listAssignments({ userId: 'user-1' })).toHaveLength(1),
    );
    const bootstrap = JSON.parse(JSON.stringify(serializeFlagState(server)));
    server.destroy();

    const renders: UseFlagResult[] = [];
    const view = render(
      <StrictMode>
        <FactoredProvider
          store={user}
          adapter={null}
          capture={{ storage: null }}
          flagBootstrap={bootstrap}
        >
          <Cta renders={renders} />
          <Cta renders={renders} />
        </FactoredProvider>
      </StrictMode>,
    );
    expect(renders[0]).toMatchObject({
      variantKey: expected.variantKey,
      config: expected.config,
      isLoading: false,
      error: null,
    });
    expect(renders.every((r) => r.variantKey === expected.variantKey)).toBe(true);
    expect(screen.getAllByRole('button')[0]!.textContent).toBe(String(expected.config?.label));

    await waitFor(async () =>
      expect(await service.listExposures({ experimentId: experiment.id })).toHaveLength(1),
    );
    view.rerender(
      <FactoredProvider
        store={user}
        adapter={null}
        capture={{ storage: null }}
        flagBootstrap={bootstrap}
      >
        <Cta renders={renders} />
      </FactoredProvider>,
    );
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const exposures = await service.listExposures({ experimentId: experiment.id });
    expect(exposures).toHaveLength(1);
    expect(exposures[0]).toMatchObject({ userId: 'user-1', variantKey: expected.variantKey });
  });

  it('hydrates server markup without a mismatch or a loading flash', async () => {
    const { user, service } = createStores();
    await runningExperiment(service);
    const server = createFlagClient({ store: user });
    await server.ready();
    const expected = server.evaluate('cta-copy');
    await waitFor(async () =>
      expect(await service.listAssignments({ userId: 'user-1' })).toHaveLength(1),
    );
    const bootstrap = JSON.parse(JSON.stringify(serializeFlagState(server)));
    server.destroy();
    const renders: UseFlagResult[] = [];
    const tree = (
      <FactoredProvider store={user} capture={false} flagBootstrap={bootstrap}>
        <Cta renders={renders} />
      </FactoredProvider>
    );
    const container = document.createElement('div');
    // This "server" render runs in jsdom, where `window` exists, so the provider takes its
    // browser branch (useLayoutEffect); React 18 then warns that a layout effect does nothing on
    // the server. A real server has no `window` and takes useEffect (see ssr.test.tsx).
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    container.innerHTML = renderToString(tree);
    for (const [message] of consoleError.mock.calls)
      expect(String(message)).toMatch(/useLayoutEffect does nothing on the server/);
    consoleError.mockRestore();
    document.body.append(container);
    expect(container.textContent).toBe(String(expected.config?.label));
    const recoverable = vi.fn();
    let root: Root | undefined;
    await act(async () => {
      root = hydrateRoot(container, tree, { onRecoverableError: recoverable });
    });
    expect(recoverable).not.toHaveBeenCalled();
    expect(renders.every((r) => !r.isLoading && r.variantKey === expected.variantKey)).toBe(true);
    act(() => root!.unmount());
    container.remove();
  });

  it('loads without a bootstrap, then renders the sticky variant', async () => {
    const { user, service } = createStores();
    await runningExperiment(service);
    const renders: UseFlagResult[] = [];
    render(
      <FactoredProvider store={user} capture={false}>
        <Cta renders={renders} />
      </FactoredProvider>,
    );
    expect(renders[0]).toMatchObject({ variantKey: null, isLoading: true, error: null });
    await waitFor(() => expect(renders.at(-1)?.isLoading).toBe(false));
    const [assignment] = await waitFor(async () => {
      const rows = await service.listAssignments({ userId: 'user-1' });
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(renders.at(-1)?.variantKey).toBe(assignment!.variantKey);
    expect(renders.at(-1)?.evaluation?.inExperiment).toBe(true);
  });

  it('follows realtime changes: a concluded experiment renders its winner', async () => {
    const { user, service } = createStores();
    const experiment = await runningExperiment(service);
    const renders: UseFlagResult[] = [];
    render(
      <FactoredProvider store={user} capture={false}>
        <Cta renders={renders} />
      </FactoredProvider>,
    );
    await waitFor(() => expect(renders.at(-1)?.isLoading).toBe(false));
    await service.transitionExperiment(experiment.id, {
      from: 'running',
      to: 'concluded',
      winner: 'treatment',
    });
    await waitFor(() => expect(renders.at(-1)?.variantKey).toBe('treatment'));
    expect(screen.getByRole('button').textContent).toBe('Pay securely');
  });

  it('surfaces a failed load in error', async () => {
    const { user } = createStores();
    const failing: FactoredStore = Object.assign(Object.create(user) as MemoryStore, {
      listExperiments: () =>
        Promise.reject(new FactoredError('unavailable', 'experiments are down')),
    });
    const renders: UseFlagResult[] = [];
    render(
      <FactoredProvider store={failing} capture={false}>
        <Cta renders={renders} />
      </FactoredProvider>,
    );
    await waitFor(() => expect(renders.at(-1)?.error).not.toBeNull());
    const last = renders.at(-1)!;
    expect((last.error as FactoredError).code).toBe('unavailable');
    expect(last).toMatchObject({ variantKey: null, isLoading: false });
  });
});
