/**
 * @factoredui/react: server rendering cost of path components, and the query cache's request counts under a
 * storm of equal hooks and a burst of store changes (the "no request storms" guarantee).
 * Bundle size is measured once, for every package alike, by `pnpm size` (docs/bundle-size.md).
 * Run after building: `npx tsx scripts/bench.ts react`.
 */
import { createQueryCache, type FactoredStore, type StoreChange } from '@factoredui/core';
import { createElement, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import { Component, Element, FactoredProvider, Flow, Page } from '../src/index.js';

/** A store the renderer never calls (server rendering does no I/O). */
const inertStore = {} as FactoredStore;

function tree(elements: number): ReactNode {
  const items: ReactNode[] = [];
  for (let i = 0; i < elements; i += 1) {
    items.push(
      createElement(
        Element,
        { key: i, name: `item-${i}` },
        createElement('button', { type: 'button' }, i),
      ),
    );
  }
  return createElement(
    FactoredProvider,
    { store: inertStore, capture: false },
    createElement(
      Flow,
      { name: 'shop' },
      createElement(Page, { name: 'catalog' }, createElement(Component, { name: 'grid' }, items)),
    ),
  );
}

function serverRender(): BenchRecord[] {
  const elements = 1000;
  const samples: number[] = [];
  for (let round = 0; round < 15; round += 1) {
    const start = performance.now();
    renderToString(tree(elements));
    samples.push(performance.now() - start);
  }
  const baseline: number[] = [];
  for (let round = 0; round < 15; round += 1) {
    const start = performance.now();
    renderToString(
      createElement(
        'div',
        null,
        Array.from({ length: elements }, (_, i) =>
          createElement('div', { key: i }, createElement('button', { type: 'button' }, i)),
        ),
      ),
    );
    baseline.push(performance.now() - start);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  return [
    {
      name: 'renderToString, 1,000 path-tagged elements',
      value: median(samples.slice(5)),
      unit: 'ms',
      better: 'lower',
      notes: 'median of 10 after 5 warm-up rounds',
    },
    {
      name: 'renderToString, 1,000 plain div-wrapped elements (baseline)',
      value: median(baseline.slice(5)),
      unit: 'ms',
      better: 'lower',
      notes: 'the same markup without FactoredUI',
    },
  ];
}

async function requestStorm(): Promise<BenchRecord[]> {
  const listeners = new Set<(change: StoreChange) => void>();
  let requests = 0;
  const store = {
    subscribe: (_topic: string, listener: (change: StoreChange) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as FactoredStore;
  const cache = createQueryCache(store);
  const query = {
    key: ['governanceLog', 'exp-1'],
    topics: ['governance'] as const,
    fetch: async () => {
      requests += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [requests];
    },
  };
  const hooks = 1000;
  const stops = Array.from({ length: hooks }, () => cache.observe(query).subscribe(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const mountRequests = requests;
  const changes = 10_000;
  for (let i = 0; i < changes; i += 1) for (const l of listeners) l({ topic: 'governance' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const burstRequests = requests - mountRequests;
  for (const stop of stops) stop();
  return [
    {
      name: 'requests for 1,000 mounted hooks with equal arguments',
      value: mountRequests,
      unit: 'requests',
      better: 'lower',
    },
    {
      name: 'requests after a burst of 10,000 store changes',
      value: burstRequests,
      unit: 'requests',
      better: 'lower',
      notes:
        'the request the first change starts, plus one follow-up for all changes that arrive while it is in flight',
    },
  ];
}

const suite: BenchSuite = {
  title: 'React bindings',
  async run() {
    return [...serverRender(), ...(await requestStorm())];
  },
  ratios: [
    {
      label: 'server render cost of path tagging (FactoredUI / plain)',
      numerator: 'renderToString, 1,000 path-tagged elements',
      denominator: 'renderToString, 1,000 plain div-wrapped elements (baseline)',
    },
  ],
};

export default suite;
