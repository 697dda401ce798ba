'use client';

import type { Spec } from '@factoredui/core';
import { createComponentRegistry, SpecView } from '@factoredui/sdui-react';

// The stylesheet is in the layout's <style>: nothing to inject at run time.
const registry = createComponentRegistry(
  { colors: { primary: '#4f46e5' } },
  { injectStyles: false },
);

/** The promo slot: the spec the server verified (or the baseline), rendered by the SDUI renderer. */
export function Promo({ spec, label }: { spec: Spec; label: string }) {
  return (
    <section data-testid="promo" aria-label="Promotion">
      <SpecView spec={spec} context={{ registry }} />
      <p style={{ color: '#6b7280', fontSize: 12 }}>{label}</p>
    </section>
  );
}
