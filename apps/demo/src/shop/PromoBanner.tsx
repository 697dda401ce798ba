import { createSpecStorage } from '@factoredui/core';
import {
  createComponentRegistry,
  type RenderContext,
  SpecView,
  useSpec,
} from '@factoredui/sdui-react';
import type { JSX } from 'react';
import { PROMO_BASELINE, PROMO_SLOT } from '../lib/config.js';
import { useRuntime } from '../lib/runtime-context.js';
import { hrefFor } from '../router.js';

/** The SDUI registry themed like the shop (the brand colour and radii of styles.css). */
const registry = createComponentRegistry({
  colors: {
    primary: '#4f46e5',
    onPrimary: '#ffffff',
    text: '#111827',
    muted: '#6b7280',
    border: '#e5e7eb',
    success: '#047857',
  },
  radius: { sm: 8, md: 10, lg: 14 },
  fontFamily:
    "ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
});

/** The device cache (and rollback floor) of verified specs. */
const storage = createSpecStorage(window.localStorage, { prefix: 'demo:spec:' });

const context: RenderContext = {
  registry,
  scope: { promo: { discount: '20%', freeShipping: '$50' } },
  actions: {
    'promo.open': ({ productId }) => {
      if (typeof productId === 'string')
        window.location.hash = hrefFor({ name: 'product', id: productId });
    },
  },
  onError: (issue) => console.warn('SDUI:', issue),
};

/**
 * The catalog's promo banner: the active signed spec of the `catalog-promo` slot, verified
 * with the Ed25519 key generated at start-up (fail closed: a bad signature, an unknown key or
 * a rollback falls back to the cached or bundled baseline, and the reason is shown).
 */
export function PromoBanner(): JSX.Element {
  const { verifier } = useRuntime();
  const { spec, source, version, keyId, rejections } = useSpec(PROMO_SLOT.name, {
    baseline: PROMO_BASELINE,
    verifier,
    storage,
    platform: PROMO_SLOT.platform,
  });
  return (
    <section className="promo-slot" data-testid="promo" data-source={source}>
      <SpecView spec={spec} context={context} className="promo-view" />
      <p className="sdui-meta">
        {source === 'baseline'
          ? 'Bundled baseline'
          : `Signed spec v${version} · key ${keyId} · Ed25519 signature verified (${source})`}
        {rejections.length > 0
          ? ` · rejected: ${rejections.map((r) => `${r.source} ${r.reason}`).join(', ')}`
          : ''}
      </p>
    </section>
  );
}
