import { loadFlagState, loadSpec } from '@factoredui/core';
import { cookies } from 'next/headers';
import { getRuntime } from '../lib/runtime';
import { PROMO_BASELINE, PROMO_SLOT, USER_COOKIE } from '../lib/shared';
import { Hero } from './hero';
import { Promo } from './promo';
import { Providers } from './providers';

// Per-visitor HTML: never prerendered at build time.
export const dynamic = 'force-dynamic';

/**
 * A React Server Component: reads the visitor's flag state (definitions, existing assignments,
 * local bucketing — no writes, nothing left open) and the verified promo spec, and hands both
 * to client components as plain JSON.
 */
export default async function Home() {
  const userId = (await cookies()).get(USER_COOKIE)?.value;
  if (!userId) throw new Error('No visitor cookie: src/proxy.ts sets it on every page request.');
  const runtime = await getRuntime();
  const [flagState, promo] = await Promise.all([
    loadFlagState(runtime.service, { userId }),
    loadSpec({
      store: runtime.service,
      ...PROMO_SLOT,
      baseline: PROMO_BASELINE,
      verifier: runtime.verifier,
    }),
  ]);
  const label =
    promo.source === 'baseline'
      ? 'Bundled baseline'
      : `Signed spec v${promo.version} · key ${promo.keyId} · verified on the server`;
  return (
    <Providers flagState={flagState}>
      <main>
        <Hero />
        <Promo spec={promo.spec} label={label} />
      </main>
    </Providers>
  );
}
