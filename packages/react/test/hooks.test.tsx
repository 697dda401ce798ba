// @vitest-environment jsdom
import {
  createEventId,
  createExperiment,
  FactoredError,
  type FactoredStore,
  runGovernanceCheck,
  type StoreChange,
  type StoreTopic,
  startExperiment,
} from '@factoredui/core';
import {
  FactoredProvider,
  type QueryResult,
  useComponentPath,
  useExperimentDashboard,
  useExperimentResults,
  useFactoredStore,
  useFactorHistory,
  useFactors,
  useGovernanceLog,
  usePlatform,
  useRecentGovernanceLog,
} from '@factoredui/react';
import type { MemoryStore } from '@factoredui/store-memory';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores, whileRenderThrows } from './helpers.js';

afterEach(cleanup);

/** Wraps a store so active realtime subscriptions and calls of one method are counted. */
function instrument<S extends FactoredStore>(store: S, method: keyof FactoredStore) {
  let active = 0;
  const original = store[method] as (...args: unknown[]) => Promise<unknown>;
  const calls = vi.fn((...args: unknown[]) => original.apply(store, args));
  const subscribe = (topic: StoreTopic, listener: (change: StoreChange) => void) => {
    active += 1;
    const stop = store.subscribe!(topic, listener);
    return () => {
      active -= 1;
      stop();
    };
  };
  const wrapped = Object.assign(Object.create(store) as S, { [method]: calls, subscribe });
  return { store: wrapped, calls, active: () => active };
}

function Provide({ store, children }: { store: FactoredStore; children: ReactNode }) {
  return (
    <FactoredProvider store={store} capture={false}>
      {children}
    </FactoredProvider>
  );
}

/** Renders a query result as text and keeps the latest one. */
function Show<T>({ result, name }: { result: QueryResult<T>; name: string }) {
  latest[name] = result as QueryResult<unknown>;
  const state = result.error
    ? `error:${(result.error as FactoredError).code ?? result.error.message}`
    : result.isLoading
      ? 'loading'
      : `rows:${Array.isArray(result.data) ? result.data.length : 'object'}`;
  return <output aria-label={name}>{state}</output>;
}
const latest: Record<string, QueryResult<unknown>> = {};
const text = (name: string) => screen.getByLabelText(name).textContent;

async function runningExperiment(service: MemoryStore, name = 'cta-copy') {
  const experiment = await createExperiment(service, {
    name,
    path: 'checkout/review/cta',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
  });
  return startExperiment(service, experiment.id);
}

function GovernanceLog({ id, name }: { id: string; name: string }) {
  return <Show name={name} result={useGovernanceLog(id)} />;
}

function Dashboard() {
  return (
    <>
      <Show name="recent" result={useRecentGovernanceLog(5)} />
      <Show name="dashboard" result={useExperimentDashboard({ status: ['running'] })} />
    </>
  );
}

function Factors({ since }: { since: number }) {
  return (
    <>
      <Show name="factors" result={useFactors('checkout/review')} />
      <Show
        name="history"
        result={useFactorHistory('checkout/review', { since: new Date(since) })}
      />
    </>
  );
}

function Broken() {
  return (
    <>
      <Show name="log" result={useGovernanceLog('x')} />
      <Show name="results" result={useExperimentResults('missing-experiment')} />
    </>
  );
}

function NoUser() {
  return <Show name="factors" result={useFactors()} />;
}

function Results({ id }: { id: string }) {
  return <Show name="results" result={useExperimentResults(id, { factors: ['error_rate'] })} />;
}

function Platform() {
  const store = useFactoredStore() as MemoryStore;
  return (
    <output aria-label="platform">{`${usePlatform()}:${useComponentPath()}:${store.database ? 'store' : ''}`}</output>
  );
}

describe('data hooks', () => {
  it('update live when the store publishes, and unsubscribe on unmount', async () => {
    const { user, service } = createStores();
    const experiment = await runningExperiment(service);
    // The check releases statistics at its time (announced on `governance`): release first.
    const at = new Date().toISOString();
    await service.releaseStatistics({ at });
    const { store, calls, active } = instrument(user, 'listGovernanceLog');
    const view = render(
      <Provide store={store}>
        <GovernanceLog id={experiment.id} name="a" />
        <GovernanceLog id={experiment.id} name="b" />
      </Provide>,
    );
    expect(text('a')).toBe('loading');
    await waitFor(() => expect(text('a')).toBe('rows:0'));
    // Equal arguments share one request.
    expect(calls).toHaveBeenCalledTimes(1);
    expect(active()).toBe(1);

    await act(async () => {
      await runGovernanceCheck(service, experiment.id, { at });
    });
    await waitFor(() => expect(text('a')).toBe('rows:1'));
    expect(text('b')).toBe('rows:1');
    expect(calls).toHaveBeenCalledTimes(2);
    expect((latest.a!.data as { verdict: string }[])[0]!.verdict).toBe('continue');

    view.unmount();
    expect(active()).toBe(0);
  });

  it('ignore changes of other experiments', async () => {
    const { user, service } = createStores();
    const mine = await runningExperiment(service, 'mine');
    const other = await runningExperiment(service, 'other');
    const at = new Date().toISOString();
    await service.releaseStatistics({ at });
    const { store, calls } = instrument(user, 'listGovernanceLog');
    render(
      <Provide store={store}>
        <GovernanceLog id={mine.id} name="log" />
      </Provide>,
    );
    await waitFor(() => expect(text('log')).toBe('rows:0'));
    await act(async () => {
      await runGovernanceCheck(service, other.id, { at });
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('show the recent log and the experiment dashboard live', async () => {
    const { user, service } = createStores();
    render(
      <Provide store={user}>
        <Dashboard />
      </Provide>,
    );
    await waitFor(() => expect(text('dashboard')).toBe('rows:0'));
    const experiment = await act(() => runningExperiment(service));
    // One row per variant.
    await waitFor(() => expect(text('dashboard')).toBe('rows:2'));
    await act(async () => {
      await runGovernanceCheck(service, experiment.id);
    });
    await waitFor(() => expect(text('recent')).toBe('rows:1'));
  });

  it('read factors of the store user and follow recomputation', async () => {
    const { user, service } = createStores();
    const sessionId = '00000000-0000-4000-8000-000000000001';
    const now = Date.now();
    await user.startSession({
      id: sessionId,
      userId: 'user-1',
      startedAt: new Date(now - 60_000).toISOString(),
      metadata: { platform: 'web' },
    });
    await user.insertEvents(
      ['click', 'error', 'click'].map((type, i) => ({
        id: createEventId(),
        sessionId,
        userId: 'user-1',
        type: type as 'click' | 'error',
        path: 'checkout/review',
        payload: {},
        createdAt: new Date(now - 50_000 + i * 1000).toISOString(),
      })),
    );
    render(
      <Provide store={user}>
        <Factors since={now - 3_600_000} />
      </Provide>,
    );
    await waitFor(() => expect(text('factors')).toBe('rows:0'));
    await act(async () => {
      await service.recomputeFactors({ asOf: new Date(now).toISOString() });
      await service.snapshotFactors({ asOf: new Date(now).toISOString() });
    });
    await waitFor(() => expect(text('factors')).not.toBe('rows:0'));
    const values = latest.factors!.data as { factor: string; value: number; userId: string }[];
    expect(values.every((v) => v.userId === 'user-1')).toBe(true);
    expect(values.find((v) => v.factor === 'error_rate')?.value).toBeCloseTo(1 / 3);
    await waitFor(() => expect(text('history')).toBe(`rows:${values.length}`));
  });

  it('report errors in error, never as empty data', async () => {
    const { user, service } = createStores();
    const broken = Object.assign(Object.create(user) as MemoryStore, {
      listGovernanceLog: () => Promise.reject(new FactoredError('unavailable', 'log is down')),
    });
    render(
      <Provide store={broken}>
        <Broken />
      </Provide>,
    );
    await waitFor(() => expect(text('log')).toBe('error:unavailable'));
    expect(latest.log!.data).toBeUndefined();
    expect(latest.log!.isLoading).toBe(false);
    await waitFor(() => expect(text('results')).toBe('error:not_found'));

    // A service store has no user of its own: per-user hooks say so.
    render(
      <Provide store={service}>
        <NoUser />
      </Provide>,
    );
    await waitFor(() => expect(text('factors')).toBe('error:invalid_input'));
    expect(latest.factors!.error?.message).toMatch(/pass \{ userId \}/);
  });

  it('compute experiment results and refetch on demand', async () => {
    const { user, service } = createStores();
    const experiment = await runningExperiment(service);
    render(
      <Provide store={user}>
        <Results id={experiment.id} />
      </Provide>,
    );
    await waitFor(() => expect(text('results')).toBe('rows:object'));
    const evaluation = latest.results!.data as { experimentId: string; factors: unknown[] };
    expect(evaluation.experimentId).toBe(experiment.id);
    expect(evaluation.factors).toHaveLength(1);
    const again = await act(() => latest.results!.refetch());
    expect(again.error).toBeNull();
  });

  it('expose the platform and fail clearly outside a provider', () => {
    const { user } = createStores();
    render(
      <FactoredProvider store={user} platform="ios" capture={false}>
        <Platform />
      </FactoredProvider>,
    );
    expect(text('platform')).toBe('ios:null:store');
    expect(() => whileRenderThrows(() => render(<Platform />))).toThrow(/inside <FactoredProvider/);
  });
});
