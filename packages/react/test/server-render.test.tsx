import { PassThrough } from 'node:stream';
import {
  createExperiment,
  createQueryCache,
  type FactoredStore,
  loadFlagState,
  recentGovernanceLogQuery,
  type SerializedFlagState,
  startExperiment,
} from '@factoredui/core';
import { instrumentStore } from '@factoredui/core/testing';
import {
  Component,
  FactoredProvider,
  Flow,
  useFlag,
  useRecentGovernanceLog,
} from '@factoredui/react';
import { Suspense } from 'react';
import { renderToPipeableStream, renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './helpers.js';

function Cta() {
  const { variantKey, config } = useFlag('cta-copy');
  return <button type="button">{`${variantKey}:${String(config?.label)}`}</button>;
}

function Verdicts() {
  const { data, isLoading } = useRecentGovernanceLog();
  return <p>{isLoading ? 'verdicts:loading' : `verdicts:${data?.length}`}</p>;
}

/** Suspends until `promise` settles (the pattern both React 18 and 19 stream). */
function suspending(promise: Promise<string>): { read(): string } {
  let value: string | undefined;
  void promise.then((settled) => {
    value = settled;
  });
  return {
    read() {
      if (value === undefined) throw promise;
      return value;
    },
  };
}

function Late({ resource }: { resource: { read(): string } }) {
  return <p>{resource.read()}</p>;
}

async function seeded() {
  const { user, service } = createStores();
  const draft = await createExperiment(service, {
    name: 'cta-copy',
    path: 'checkout/cta',
    variants: [
      { key: 'control', weight: 50, config: { label: 'Pay' } },
      { key: 'treatment', weight: 50, config: { label: 'Pay securely' } },
    ],
  });
  await startExperiment(service, draft.id);
  return { user, service };
}

function page(store: FactoredStore, flagState: SerializedFlagState, children = <Cta />) {
  return (
    <FactoredProvider store={store} flagBootstrap={flagState}>
      <Flow name="checkout">
        <Component name="cta">{children}</Component>
      </Flow>
    </FactoredProvider>
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('server rendering writes nothing and leaves nothing open', () => {
  it('renders a new user’s variant with no store call, subscription or timer', async () => {
    const { user, service } = await seeded();
    const flagState = await loadFlagState(user, { userId: 'user-1' });
    const probe = instrumentStore(user);
    vi.useFakeTimers();
    const html = renderToString(page(probe.store, flagState));
    expect(html).toMatch(/(control:Pay|treatment:Pay securely)<\/button>/);
    expect(probe.calls).toEqual([]);
    expect(probe.openSubscriptionCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    // Nothing was written later either (the old server client wrote after the response).
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await service.listAssignments({ userId: 'user-1' })).toEqual([]);
  });

  it('hydrated query results render without leaving a garbage-collection timer', async () => {
    const { user } = await seeded();
    const flagState = await loadFlagState(user, { userId: 'user-1' });
    const prefetch = createQueryCache(user, { gcTimeMs: Infinity });
    await prefetch.fetch(recentGovernanceLogQuery());
    const queryState = prefetch.dehydrate();
    prefetch.destroy();
    const probe = instrumentStore(user);
    vi.useFakeTimers();
    const html = renderToString(
      <FactoredProvider store={probe.store} flagBootstrap={flagState} queryState={queryState}>
        <Verdicts />
      </FactoredProvider>,
    );
    expect(html).toContain('verdicts:0');
    expect(vi.getTimerCount()).toBe(0);
    expect(probe.calls).toEqual([]);
  });

  it('streams with renderToPipeableStream, suspended parts included', async () => {
    const { user } = await seeded();
    const flagState = await loadFlagState(user, { userId: 'user-1' });
    const probe = instrumentStore(user);
    let release: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => {
      release = resolve;
    });
    const chunks: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const sink = new PassThrough();
      sink.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
      sink.on('end', () => resolve());
      const stream = renderToPipeableStream(
        page(
          probe.store,
          flagState,
          <>
            <Cta />
            <Suspense fallback={<p>waiting</p>}>
              <Late resource={suspending(late)} />
            </Suspense>
          </>,
        ),
        {
          onShellReady: () => {
            stream.pipe(sink);
            release('late content');
          },
          onShellError: reject,
          onError: reject,
        },
      );
    });
    await done;
    const html = chunks.join('');
    expect(html).toMatch(/(control:Pay|treatment:Pay securely)<\/button>/);
    expect(html).toContain('late content');
    expect(probe.calls).toEqual([]);
    expect(probe.openSubscriptionCount()).toBe(0);
  });
});
