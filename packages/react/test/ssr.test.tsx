import {
  createExperiment,
  createFlagClient,
  createQueryCache,
  type FactoredStore,
  recentGovernanceLogQuery,
  runGovernanceCheck,
  serializeFlagState,
  startExperiment,
} from '@factoredui/core';
import {
  Component,
  Element,
  FactoredProvider,
  Flow,
  Page,
  useCapture,
  useComponentFactors,
  useComponentPath,
  useExperimentDashboard,
  useExperimentResults,
  useFactorHistory,
  useFactors,
  useFlag,
  useGovernanceLog,
  usePlatform,
  useRecentGovernanceLog,
} from '@factoredui/react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createStores } from './helpers.js';

/** Uses every hook; renders what a server can know. */
function Everything({ experimentId }: { experimentId: string }) {
  const flag = useFlag('cta-copy');
  const hooks = {
    factors: useFactors('checkout/review'),
    component: useComponentFactors('checkout/review'),
    history: useFactorHistory('checkout/review', { since: '2026-01-01T00:00:00.000Z' }),
    results: useExperimentResults(experimentId),
    dashboard: useExperimentDashboard(),
    log: useGovernanceLog(experimentId),
    recent: useRecentGovernanceLog(),
  };
  const capture = useCapture();
  return (
    <ul>
      <li>path={useComponentPath()}</li>
      <li>platform={usePlatform()}</li>
      <li>capture={String(capture.active)}</li>
      <li>
        flag={flag.variantKey}:{String(flag.config?.label)}:{String(flag.isLoading)}
      </li>
      {Object.entries(hooks).map(([name, result]) => (
        <li key={name}>
          {name}={result.isLoading ? 'loading' : `rows:${(result.data as unknown[]).length}`}
        </li>
      ))}
    </ul>
  );
}

function Flag() {
  const { variantKey, isLoading } = useFlag('anything');
  return <p>{`${variantKey}:${isLoading}`}</p>;
}

describe('server rendering', () => {
  it('renders every component and hook in Node without a DOM, with no I/O', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    const { user, service } = createStores();
    const draft = await createExperiment(service, {
      name: 'cta-copy',
      path: 'checkout/review/cta',
      variants: [
        { key: 'control', weight: 50, config: { label: 'Pay' } },
        { key: 'treatment', weight: 50, config: { label: 'Pay securely' } },
      ],
    });
    const experiment = await startExperiment(service, draft.id);
    await runGovernanceCheck(service, experiment.id);

    // What a server does per request: load flags and prefetch the queries it renders.
    const flags = createFlagClient({ store: user });
    await flags.ready();
    const variant = flags.evaluate('cta-copy');
    await vi.waitFor(async () =>
      expect(await user.listAssignments({ userId: 'user-1' })).toHaveLength(1),
    );
    const bootstrap = serializeFlagState(flags);
    flags.destroy();
    const prefetch = createQueryCache(user);
    await prefetch.fetch(recentGovernanceLogQuery());

    // Spy on every method: rendering must neither read nor write the store.
    const calls: string[] = [];
    const watched = new Proxy(user, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || key === 'subscribe') return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return value.apply(target, args);
        };
      },
    }) as FactoredStore;

    const markup = renderToString(
      <FactoredProvider
        store={watched}
        flagBootstrap={bootstrap}
        queryState={prefetch.dehydrate()}
        capture={{ appVersion: '1.0.0' }}
      >
        <Flow name="checkout">
          <Page name="review">
            <Component name="payment-form">
              <Element name="cta">
                <Everything experimentId={experiment.id} />
              </Element>
            </Component>
          </Page>
        </Flow>
      </FactoredProvider>,
    );
    // React separates adjacent text with comments; compare the text.
    const html = markup.replaceAll('<!-- -->', '');
    expect(html).toContain('data-factored-flow="checkout"');
    expect(html).toContain('data-factored-element="cta"');
    expect(html).toContain('style="display:contents"');
    expect(html).toContain('path=checkout/review/payment-form/cta');
    expect(html).toContain('platform=web');
    expect(html).toContain('capture=false');
    expect(html).toContain(`flag=${variant.variantKey}:${String(variant.config?.label)}:false`);
    expect(html).toContain('recent=rows:1');
    expect(html).toContain('factors=loading');
    expect(calls).toEqual([]);
  });

  it('renders flags as loading without a bootstrap', () => {
    const { user } = createStores();
    const html = renderToString(
      <FactoredProvider store={user}>
        <Flag />
      </FactoredProvider>,
    );
    expect(html).toContain('null:true');
  });
});
