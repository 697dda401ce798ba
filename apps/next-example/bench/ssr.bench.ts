/**
 * next-example: the server render of the example's flag page (src/app/page.tsx) with
 * FactoredUI — `loadFlagState` over the memory store, then the provider, the flag-dependent
 * hero with its path components, and the verified promo rendered by the SDUI renderer — against
 * the same markup rendered without FactoredUI. Run after building the packages:
 * `npx tsx scripts/bench.ts next-example`.
 */

import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createEd25519Signer,
  createEd25519Verifier,
  createExperiment,
  generateEd25519Keypair,
  loadFlagState,
  loadSpec,
  nextSpecVersion,
  publishSpec,
  startExperiment,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { build } from 'esbuild';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import type { Hero as HeroComponent } from '../src/app/hero.js';
import type { Promo as PromoComponent } from '../src/app/promo.js';
import type { Providers as ProvidersComponent } from '../src/app/providers.js';
import { HERO_FLAG, HERO_PATH, PROMO_BASELINE, PROMO_SLOT, PROMO_SPEC } from '../src/lib/shared.js';

const WARMUP = 300;
const SAMPLES = 2_000;
const USERS = 1_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

async function setup() {
  const database = createMemoryDatabase();
  const service = createMemoryStore({ database, role: 'service' });
  const draft = await createExperiment(service, {
    name: HERO_FLAG,
    path: HERO_PATH,
    variants: [
      { key: 'control', weight: 50, config: { headline: 'Small things, made well' } },
      { key: 'bold', weight: 50, config: { headline: 'Tools you will keep for life' } },
    ],
  });
  await startExperiment(service, draft.id);
  const keypair = await generateEd25519Keypair();
  const verifier = createEd25519Verifier({ bench: keypair.publicKey });
  const envelope = await createEd25519Signer({
    privateKey: keypair.privateKey,
    keyId: 'bench',
  }).sign(PROMO_SPEC, { ...PROMO_SLOT, version: await nextSpecVersion(service, PROMO_SLOT) });
  await publishSpec(service, { ...PROMO_SLOT, envelope, verifier });
  const promo = await loadSpec({
    store: service,
    ...PROMO_SLOT,
    baseline: PROMO_BASELINE,
    verifier,
  });
  return { service, promo };
}

/** The page of src/app/page.tsx for one request, as its server component builds it. */
async function withFactoredUI(
  env: Awaited<ReturnType<typeof setup>>,
  userId: string,
): Promise<string> {
  return renderPage(env, await loadFlagState(env.service, { userId }));
}

function renderPage(
  env: Awaited<ReturnType<typeof setup>>,
  flagState: Awaited<ReturnType<typeof loadFlagState>>,
): string {
  return renderToString(
    createElement(Providers, {
      flagState,
      children: createElement(
        'main',
        null,
        createElement(Hero),
        createElement(Promo, { spec: env.promo.spec, label: 'Signed spec v1' }),
      ),
    }),
  );
}

/** The same visible markup, written by hand: no provider, no flag, no path tags, no SDUI. */
function plain(headline: string): string {
  return renderToString(
    createElement(
      'main',
      null,
      createElement('h1', { 'data-testid': 'headline' }, headline),
      createElement('button', { type: 'button' }, 'Explore the shop'),
      createElement(
        'section',
        { 'aria-label': 'Promotion' },
        createElement(
          'div',
          { className: 'fui-root' },
          createElement('h2', null, 'Spring sale'),
          createElement('p', null, 'Signed on the server, verified before render.'),
        ),
        createElement('p', null, 'Signed spec v1'),
      ),
    ),
  );
}

// React's production build, as `next start` serves it (loaded after NODE_ENV is set).
(process.env as Record<string, string>).NODE_ENV = 'production';
const { createElement } = await import('react');
const { renderToString } = await import('react-dom/server');

// The page's client components, compiled as Next compiles them (automatic JSX runtime; tsx
// would apply the root tsconfig's settings only to files it includes). Dependencies stay
// imports, resolved from this app's node_modules.
const pageModule = fileURLToPath(new URL('../node_modules/.cache/bench/page.mjs', import.meta.url));
await build({
  stdin: {
    contents: `export { Hero } from './src/app/hero.tsx';
export { Promo } from './src/app/promo.tsx';
export { Providers } from './src/app/providers.tsx';`,
    resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  jsx: 'automatic',
  outfile: pageModule,
  logLevel: 'error',
});
const { Hero, Promo, Providers } = (await import(pathToFileURL(pageModule).href)) as {
  Hero: typeof HeroComponent;
  Promo: typeof PromoComponent;
  Providers: typeof ProvidersComponent;
};

async function measure(): Promise<BenchRecord[]> {
  const env = await setup();
  const userId = (i: number) =>
    `00000000-0000-4000-8000-${(i % USERS).toString(16).padStart(12, '0')}`;
  const factored: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
    const start = performance.now();
    const html = await withFactoredUI(env, userId(i));
    const elapsed = performance.now() - start;
    if (!html.includes('data-testid="headline"')) throw new Error('the page did not render');
    if (i >= WARMUP) factored.push(elapsed * 1000);
  }
  const flagState = await loadFlagState(env.service, { userId: userId(0) });
  const renderOnly: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
    const start = performance.now();
    const html = await Promise.resolve(renderPage(env, flagState));
    const elapsed = performance.now() - start;
    if (!html.includes('data-testid="headline"')) throw new Error('the page did not render');
    if (i >= WARMUP) renderOnly.push(elapsed * 1000);
  }
  const baseline: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
    const start = performance.now();
    // Awaited too, so both loops pay the same microtask turn per request.
    const html = await Promise.resolve(plain(i % 2 ? 'Small things, made well' : 'Tools'));
    const elapsed = performance.now() - start;
    if (!html.includes('Spring sale')) throw new Error('the page did not render');
    if (i >= WARMUP) baseline.push(elapsed * 1000);
  }
  const notes = `median of ${SAMPLES.toLocaleString('en-US')} requests after ${WARMUP} warm-up, ${USERS.toLocaleString('en-US')} users`;
  return [
    {
      name: 'flag page server render with FactoredUI (loadFlagState + renderToString)',
      value: median(factored),
      unit: 'µs',
      better: 'lower',
      notes: `${notes}; memory store, one running experiment, verified SDUI promo`,
    },
    {
      name: 'flag page renderToString with FactoredUI (flag state already loaded)',
      value: median(renderOnly),
      unit: 'µs',
      better: 'lower',
      notes: `${notes}; the provider, path components, useFlag and SpecView`,
    },
    {
      name: 'flag page server render without FactoredUI (same markup)',
      value: median(baseline),
      unit: 'µs',
      better: 'lower',
      notes,
    },
  ];
}

const suite: BenchSuite = {
  title: 'Next.js example: server render of the flag page',
  run: measure,
  ratios: [
    {
      label: 'flag page renderToString only (FactoredUI / plain)',
      numerator: 'flag page renderToString with FactoredUI (flag state already loaded)',
      denominator: 'flag page server render without FactoredUI (same markup)',
    },
    {
      label: 'flag page server render (FactoredUI / plain)',
      numerator: 'flag page server render with FactoredUI (loadFlagState + renderToString)',
      denominator: 'flag page server render without FactoredUI (same markup)',
    },
  ],
};

export default suite;
