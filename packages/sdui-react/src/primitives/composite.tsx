import {
  type CSSProperties,
  isValidElement,
  type JSX,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import type { SpecComponentProps } from '../types.js';
import { bool, common, num, oneOf, space, text } from './values.js';

/**
 * `card`: a `<section>` named by its title. With an action the title becomes a button whose
 * hit area covers the card: one tab stop, the whole surface clickable, and inner controls
 * still work.
 */
export function Card({ props, children, emit }: SpecComponentProps): JSX.Element {
  const titleId = useId();
  const title = text(props.title);
  const subtitle = text(props.subtitle);
  const { 'aria-label': label, ...rest } = common(props);
  const style: CSSProperties = { padding: space(props.padding ?? 4) };
  let heading: ReactNode = null;
  if (title) {
    heading = (
      <h3 id={titleId} className="fui-card-title">
        {emit ? (
          <button type="button" className="fui-card-action" onClick={() => emit()}>
            {title}
          </button>
        ) : (
          title
        )}
      </h3>
    );
  } else if (emit) {
    heading = (
      <button
        type="button"
        className="fui-card-action"
        aria-label={label ?? subtitle ?? 'Open'}
        onClick={() => emit()}
      />
    );
  }
  return (
    <section
      className="fui-card"
      style={style}
      aria-labelledby={title && !label ? titleId : undefined}
      aria-label={label}
      {...rest}
    >
      {heading}
      {subtitle ? <p className="fui-card-subtitle">{subtitle}</p> : null}
      {children}
    </section>
  );
}

/** `list`: a `<ul>` with one `<li>` per item, or its `emptyText` when there are none. */
export function List({ props, children }: SpecComponentProps): JSX.Element {
  if (children.length === 0) {
    return (
      <p className="fui-empty" {...common(props)}>
        {text(props.emptyText) ?? ''}
      </p>
    );
  }
  const gap = space(props.gap);
  return (
    // An explicit role: Safari drops list semantics of `list-style: none` lists.
    // biome-ignore lint/a11y/noRedundantRoles: see above
    <ul className="fui-list" role="list" style={gap ? { gap } : undefined} {...common(props)}>
      {children.map((child, index) => (
        <li key={isValidElement(child) && child.key !== null ? child.key : index}>{child}</li>
      ))}
    </ul>
  );
}

function labelsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map((label) => text(label) ?? '') : [];
}

/**
 * `tabs`: a `tablist` of `tab`s and the selected `tabpanel` (child i is the panel of label i).
 * Arrow keys move between tabs (wrapping), Home/End go to the ends; moving selects (automatic
 * activation) and emits `{ value: index }`. The selection follows the `selected` prop when it
 * changes and is kept locally otherwise.
 */
export function Tabs({ props, children, emit }: SpecComponentProps): JSX.Element {
  const baseId = useId();
  const labels = labelsOf(props.labels);
  const hostSelected = num(props.selected);
  const [state, setState] = useState({ host: hostSelected, index: hostSelected ?? 0 });
  if (state.host !== hostSelected) setState({ host: hostSelected, index: hostSelected ?? 0 });
  const count = labels.length;
  const selected = Math.min(Math.max(0, Math.floor(state.index)), Math.max(0, count - 1));
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const select = (index: number, focus: boolean) => {
    if (focus) tabs.current[index]?.focus();
    if (index === selected) return;
    setState((current) => ({ ...current, index }));
    emit?.({ value: index });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    let next: number;
    switch (event.key) {
      case 'ArrowRight':
        next = (selected + 1) % count;
        break;
      case 'ArrowLeft':
        next = (selected - 1 + count) % count;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    select(next, true);
  };
  const tabId = (i: number) => `${baseId}-tab-${i}`;
  const panelId = `${baseId}-panel`;
  return (
    <div className="fui-tabs" {...common(props)}>
      <div className="fui-tablist" role="tablist" onKeyDown={onKeyDown}>
        {labels.map((label, i) => (
          <button
            // biome-ignore lint/suspicious/noArrayIndexKey: a tab is its position
            key={i}
            ref={(element) => {
              tabs.current[i] = element;
            }}
            id={tabId(i)}
            type="button"
            role="tab"
            className="fui-tab"
            aria-selected={i === selected}
            aria-controls={i === selected ? panelId : undefined}
            tabIndex={i === selected ? 0 : -1}
            onClick={() => select(i, false)}
          >
            {label}
          </button>
        ))}
      </div>
      {count > 0 ? (
        <div
          id={panelId}
          className="fui-tabpanel"
          role="tabpanel"
          aria-labelledby={tabId(selected)}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the APG tabs pattern makes panels focusable
          tabIndex={0}
        >
          {children[selected] ?? null}
        </div>
      ) : null}
    </div>
  );
}

const FOCUSABLE =
  'a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => !element.closest('[hidden]'),
  );
}

/**
 * The `modal` component: a `dialog` (`aria-modal`) named by its title, shown while `open`.
 * Focus moves into it when it opens, Tab and Shift+Tab cycle inside it, and focus returns to
 * where it was when it closes. Escape, the close button and a click on the backdrop dismiss
 * it: they emit the node's action with `{ value: false }` (the host owns `open`). Without an
 * action it cannot be dismissed and shows no close button.
 */
export function createModal(closeLabel: string, closeIcon: ReactNode) {
  // Created once per registry, never during render, so its identity is stable.
  // biome-ignore lint/correctness/noComponentHookFactories: see above
  return function Modal({ props, children, emit }: SpecComponentProps): JSX.Element | null {
    const titleId = useId();
    const dialog = useRef<HTMLDivElement>(null);
    const open = bool(props.open) === true;

    useEffect(() => {
      if (!open) return;
      const previous = document.activeElement as HTMLElement | null;
      const root = dialog.current;
      if (root) (focusables(root)[0] ?? root).focus();
      return () => {
        if (previous?.isConnected) previous.focus();
      };
    }, [open]);

    if (!open) return null;
    const dismiss = emit ? () => emit({ value: false }) : undefined;
    const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
      if (event.key === 'Escape') {
        if (!dismiss) return;
        event.preventDefault();
        event.stopPropagation();
        dismiss();
        return;
      }
      if (event.key !== 'Tab' || !dialog.current) return;
      const items = focusables(dialog.current);
      const first = items[0];
      const last = items[items.length - 1];
      const active = document.activeElement;
      if (!first || !last) {
        event.preventDefault();
        return;
      }
      if (event.shiftKey && (active === first || active === dialog.current)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || active === dialog.current)) {
        event.preventDefault();
        first.focus();
      }
    };
    const onBackdrop = (event: MouseEvent<HTMLDivElement>) => {
      if (event.target === event.currentTarget) dismiss?.();
    };
    return (
      // The backdrop click is a pointer convenience; Escape and the close button cover keyboards.
      // biome-ignore lint/a11y/noStaticElementInteractions: see above
      // biome-ignore lint/a11y/useKeyWithClickEvents: see above
      <div className="fui-backdrop" onClick={onBackdrop}>
        <div
          ref={dialog}
          className="fui-modal"
          role="dialog"
          aria-modal="true"
          aria-labelledby={titleId}
          tabIndex={-1}
          onKeyDown={onKeyDown}
          {...common(props)}
        >
          <div className="fui-modal-header">
            <h2 id={titleId} className="fui-modal-title">
              {text(props.title)}
            </h2>
            {dismiss ? (
              <button
                type="button"
                className="fui-modal-close"
                aria-label={closeLabel}
                onClick={dismiss}
              >
                {closeIcon}
              </button>
            ) : null}
          </div>
          {children}
        </div>
      </div>
    );
  };
}

const CHIP_TONES = ['default', 'info', 'success', 'warning', 'danger'] as const;

/**
 * `chip`: a toggle button (`aria-pressed` from `selected`) when it has an action, else a static
 * label.
 */
export function Chip({ props, emit }: SpecComponentProps): JSX.Element {
  const tone = oneOf(props.tone, CHIP_TONES, 'default');
  const className = tone === 'default' ? 'fui-chip' : `fui-chip fui-chip--${tone}`;
  const selected = bool(props.selected);
  if (!emit) {
    return (
      <span className={className} {...common(props)}>
        {text(props.label)}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={className}
      aria-pressed={selected}
      onClick={() => emit({ value: !selected })}
      {...common(props)}
    >
      {text(props.label)}
    </button>
  );
}
