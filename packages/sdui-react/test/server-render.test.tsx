import {
  createEd25519Verifier,
  generateEd25519Keypair,
  loadFlagState,
  type Spec,
} from '@factoredui/core';
import { instrumentStore } from '@factoredui/core/testing';
import { FactoredProvider } from '@factoredui/react';
import { SpecView, useSourceData, useSpec } from '@factoredui/sdui-react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './fixtures.js';

const baseline: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'banner', type: 'text', props: { content: 'Baseline banner' } },
};

const { publicKey } = await generateEd25519Keypair();
const verifier = createEd25519Verifier({ k1: publicKey });

function Banner() {
  const { spec, source } = useSpec('banner', { baseline, verifier, refreshIntervalMs: 1_000 });
  const sources = useSourceData({ products: { fetch: () => [] } });
  return (
    <section data-source={source} data-loading={String(sources.isLoading)}>
      <SpecView spec={spec} />
    </section>
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SDUI on a server', () => {
  it('renders the baseline with no store call, subscription or timer', async () => {
    const { user } = createStores();
    const flagState = await loadFlagState(user, { userId: 'user-1' });
    const probe = instrumentStore(user);
    vi.useFakeTimers();
    const html = renderToString(
      <FactoredProvider store={probe.store} flagBootstrap={flagState}>
        <Banner />
      </FactoredProvider>,
    );
    expect(html).toContain('Baseline banner');
    expect(html).toContain('data-source="baseline"');
    expect(probe.calls).toEqual([]);
    expect(probe.openSubscriptionCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
