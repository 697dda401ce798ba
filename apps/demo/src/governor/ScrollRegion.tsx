import type { JSX, ReactNode } from 'react';

/**
 * A horizontally scrollable region for a wide table: named and focusable, so a keyboard user
 * can scroll it on a narrow screen (WCAG 2.1.1; axe's `scrollable-region-focusable`).
 */
export function ScrollRegion({
  label,
  children,
}: {
  label: string;
  children: ReactNode;
}): JSX.Element {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take keyboard focus to be scrolled without a pointer.
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
