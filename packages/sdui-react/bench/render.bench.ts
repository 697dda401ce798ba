/**
 * @factoredui/sdui-react: render time of a 1,000-node spec — mount and update in **jsdom** with
 * react-dom/client (synchronous `flushSync` renders, so the figure is React's render + commit
 * into jsdom's DOM, not layout or paint), plus server rendering with react-dom/server.
 * Measures the built package (dist) with React in production mode, as users ship it.
 * Bundle size is measured for every package alike by `pnpm size` (docs/bundle-size.md).
 * Run after building: `npx tsx scripts/bench.ts render`.
 */
import { fileURLToPath } from 'node:url';
import type { Spec, SpecNode } from '@factoredui/core';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

type SdUi = typeof import('../src/index.js');
/** The built package, loaded once React's production build is selected. */
const load = async () => ({
  sdui: (await import(dist)) as SdUi,
  react: await import('react'),
});

/**
 * A 1,000-node spec: a column of 111 cards, each with a row holding a text, a chip, a button
 * and a toggle, a text and a divider (9 nodes per card), plus the root.
 */
function bigSpec(): Spec {
  const cards: SpecNode[] = [];
  for (let i = 0; cards.length * 9 + 1 < 1000; i += 1) {
    cards.push({
      id: `card-${i}`,
      type: 'card',
      props: { title: `Product ${i}` },
      children: [
        {
          id: `row-${i}`,
          type: 'row',
          props: { gap: 2 },
          children: [
            { id: `price-${i}`, type: 'text', props: { content: `{prices.p${i}} USD` } },
            { id: `chip-${i}`, type: 'chip', props: { label: 'New', tone: 'info' } },
            {
              id: `buy-${i}`,
              type: 'button',
              props: { label: 'Buy' },
              action: { name: 'buy', params: { i } },
            },
            { id: `fav-${i}`, type: 'toggle', props: { label: 'Favourite' } },
          ],
        },
        { id: `desc-${i}`, type: 'text', props: { content: 'A fine product.' } },
        { id: `rule-${i}`, type: 'divider' },
        { id: `stock-${i}`, type: 'text', visible: '{inStock}', props: { content: 'In stock' } },
      ],
    });
  }
  return {
    spec_version: 1,
    renderer_min: 1,
    root: { id: 'catalog', type: 'column', children: cards },
  };
}

const countNodes = (node: SpecNode): number =>
  1 +
  ((node as { children?: SpecNode[] }).children ?? []).reduce((sum, c) => sum + countNodes(c), 0);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

function scopeFor(round: number) {
  const prices: Record<string, number> = {};
  for (let i = 0; i < 200; i += 1) prices[`p${i}`] = i + round;
  return { prices, inStock: round % 2 === 0 };
}

/** The part of jsdom's API this benchmark uses (jsdom ships no types; vitest brings it). */
interface JsdomModule {
  JSDOM: new (html: string) => { window: Window & typeof globalThis };
}

async function domRender(spec: Spec, nodes: number): Promise<BenchRecord[]> {
  const { JSDOM } = (await import('jsdom' as string)) as JsdomModule;
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>');
  const globals = globalThis as Record<string, unknown>;
  for (const key of ['window', 'document', 'navigator', 'HTMLElement', 'Node', 'Element'])
    globals[key] =
      key === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[key];
  globals.IS_REACT_ACT_ENVIRONMENT = false;
  // Imported after the DOM globals exist, as in a browser.
  const { createRoot } = await import('react-dom/client');
  const { flushSync } = await import('react-dom');
  const { sdui, react } = await load();
  const { SpecView } = sdui;
  const { createElement } = react;
  const actions = { buy: () => {} };

  const mounts: number[] = [];
  const updates: number[] = [];
  for (let round = 0; round < 12; round += 1) {
    const container = dom.window.document.createElement('div');
    dom.window.document.body.append(container);
    const root = createRoot(container);
    let start = performance.now();
    flushSync(() =>
      root.render(createElement(SpecView, { spec, context: { actions, scope: scopeFor(0) } })),
    );
    mounts.push(performance.now() - start);
    start = performance.now();
    flushSync(() =>
      root.render(createElement(SpecView, { spec, context: { actions, scope: scopeFor(1) } })),
    );
    updates.push(performance.now() - start);
    root.unmount();
    container.remove();
  }
  const notes = `jsdom ${nodes}-node spec, react-dom/client flushSync, production build; median of 10 after 2 warm-up rounds`;
  return [
    {
      name: 'mount, 1,000-node spec (jsdom)',
      value: median(mounts.slice(2)),
      unit: 'ms',
      better: 'lower',
      notes,
    },
    {
      name: 'update with new data, 1,000-node spec (jsdom)',
      value: median(updates.slice(2)),
      unit: 'ms',
      better: 'lower',
      notes: `${notes}; every price text and every "In stock" visibility changes`,
    },
  ];
}

async function serverRender(spec: Spec): Promise<BenchRecord[]> {
  const { renderToString } = await import('react-dom/server');
  const { sdui, react } = await load();
  const { SpecView } = sdui;
  const { createElement } = react;
  const samples: number[] = [];
  for (let round = 0; round < 12; round += 1) {
    const start = performance.now();
    renderToString(createElement(SpecView, { spec, context: { scope: scopeFor(0) } }));
    samples.push(performance.now() - start);
  }
  return [
    {
      name: 'renderToString, 1,000-node spec',
      value: median(samples.slice(2)),
      unit: 'ms',
      better: 'lower',
      notes: 'react-dom/server, production build; median of 10 after 2 warm-up rounds',
    },
  ];
}

const suite: BenchSuite = {
  title: 'SDUI renderer (React DOM)',
  async run() {
    process.env.NODE_ENV = 'production';
    const spec = bigSpec();
    const nodes = countNodes(spec.root);
    // Server first: it must not see the jsdom globals the DOM benchmark installs.
    const server = await serverRender(spec);
    return [...server, ...(await domRender(spec, nodes))];
  },
};

export default suite;
