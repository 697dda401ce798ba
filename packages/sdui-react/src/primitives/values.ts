import { num, text } from '@factoredui/react/spec';
import type { CSSProperties } from 'react';
import type { SpecComponentProps } from '../types.js';

export { bool, num, oneOf, text } from '@factoredui/react/spec';

/**
 * Coercion of resolved props. Props come from a server and from host data through bindings,
 * so a component never trusts their type: a wrong type reads as absent, and the component
 * falls back to its default.
 */

/** A length in theme units as CSS, e.g. `calc(var(--fui-space) * 2)`. */
export function space(units: unknown): string | undefined {
  const n = num(units);
  return n === undefined || n < 0 ? undefined : `calc(var(--fui-space) * ${n})`;
}

/** The attributes every node's main element gets: `aria-label` and `data-testid`. */
export function common(props: SpecComponentProps['props']): {
  'aria-label'?: string;
  'data-testid'?: string;
} {
  const out: { 'aria-label'?: string; 'data-testid'?: string } = {};
  const label = text(props.accessibilityLabel);
  const testId = text(props.testId);
  if (label) out['aria-label'] = label;
  if (testId) out['data-testid'] = testId;
  return out;
}

const ALIGN = { start: 'flex-start', center: 'center', end: 'flex-end', stretch: 'stretch' };
const JUSTIFY = {
  start: 'flex-start',
  center: 'center',
  end: 'flex-end',
  'space-between': 'space-between',
  'space-around': 'space-around',
};

/** Flex layout style from `gap`, `padding`, `align`, `justify`. */
export function layoutStyle(props: SpecComponentProps['props']): CSSProperties {
  const style: CSSProperties = {};
  const gap = space(props.gap);
  const padding = space(props.padding);
  if (gap) style.gap = gap;
  if (padding) style.padding = padding;
  const align = text(props.align);
  const justify = text(props.justify);
  if (align && Object.hasOwn(ALIGN, align)) style.alignItems = ALIGN[align as keyof typeof ALIGN];
  if (justify && Object.hasOwn(JUSTIFY, justify))
    style.justifyContent = JUSTIFY[justify as keyof typeof JUSTIFY];
  return style;
}
