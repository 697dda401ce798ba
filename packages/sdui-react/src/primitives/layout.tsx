import type { CSSProperties, JSX } from 'react';
import type { SpecComponentProps } from '../types.js';
import { bool, common, layoutStyle, num, oneOf, space, text } from './values.js';

/** `column`: children top to bottom (flex column). */
export function Column({ props, children }: SpecComponentProps): JSX.Element {
  return (
    <div className="fui-column" style={layoutStyle(props)} {...common(props)}>
      {children}
    </div>
  );
}

/** `row`: children start to end (flex row), optionally wrapping. */
export function Row({ props, children }: SpecComponentProps): JSX.Element {
  const style = layoutStyle(props);
  if (bool(props.wrap)) style.flexWrap = 'wrap';
  return (
    <div className="fui-row" style={style} {...common(props)}>
      {children}
    </div>
  );
}

const STACK_ALIGN = { start: 'start', center: 'center', end: 'end', stretch: 'stretch' } as const;

/** `stack`: children layered in one grid cell, first at the back. */
export function Stack({ props, children }: SpecComponentProps): JSX.Element {
  const align = STACK_ALIGN[oneOf(props.align, ['start', 'center', 'end', 'stretch'], 'stretch')];
  return (
    <div className="fui-stack" style={{ placeItems: align }} {...common(props)}>
      {children}
    </div>
  );
}

/**
 * `scrollview`: a scrollable region. Focusable (tabIndex 0) so keyboard users can scroll it;
 * a `region` landmark when it has an accessibility label.
 */
export function ScrollView({ props, children }: SpecComponentProps): JSX.Element {
  const horizontal =
    oneOf(props.direction, ['vertical', 'horizontal'], 'vertical') === 'horizontal';
  const maxHeight = num(props.maxHeight);
  const style: CSSProperties = horizontal
    ? { display: 'flex', overflowX: 'auto', overflowY: 'hidden' }
    : { overflowY: 'auto' };
  if (maxHeight !== undefined) style.maxHeight = maxHeight;
  const attributes = common(props);
  return (
    <div
      className="fui-scroll"
      style={style}
      tabIndex={0}
      role={attributes['aria-label'] ? 'region' : undefined}
      {...attributes}
    >
      {children}
    </div>
  );
}

/** `grid`: equal columns. */
export function Grid({ props, children }: SpecComponentProps): JSX.Element {
  const columns = Math.max(1, Math.floor(num(props.columns) ?? 1));
  const style: CSSProperties = { gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` };
  const gap = space(props.gap);
  if (gap) style.gap = gap;
  return (
    <div className="fui-grid" style={style} {...common(props)}>
      {children}
    </div>
  );
}

/** `divider`: `<hr>` (a separator), or a vertical separator inside rows. */
export function Divider({ props }: SpecComponentProps): JSX.Element {
  const vertical =
    oneOf(props.orientation, ['horizontal', 'vertical'], 'horizontal') === 'vertical';
  if (!vertical) return <hr className="fui-divider" {...common(props)} />;
  return (
    <hr
      className="fui-divider fui-divider--vertical"
      aria-orientation="vertical"
      {...common(props)}
    />
  );
}

/** `spacer`: empty space of `size` theme units (default 4), flexible when no size is given. */
export function Spacer({ props }: SpecComponentProps): JSX.Element {
  const size = space(props.size);
  const style: CSSProperties = size ? { flex: 'none', width: size, height: size } : { flex: 1 };
  const testId = text(props.testId);
  return <div aria-hidden="true" style={style} data-testid={testId} />;
}
