// @vitest-environment jsdom
import { type ActionHandler, type Spec, validateSpec } from '@factoredui/core';
import {
  createComponentRegistry,
  type SpecRenderIssue,
  SpecView,
  stylesheet,
} from '@factoredui/sdui-react';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useMemo, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionCall, allTypesSpec, NODE_TYPES, record, typesOf } from './fixtures.js';

afterEach(cleanup);

interface HostState {
  user: { name: string };
  form: { email?: string; news?: boolean; size?: string; qty: number };
  filters: { sale: boolean };
  ui: { open: boolean };
  products: { sku: string; name: string }[];
}

const initial: HostState = {
  user: { name: 'Ada' },
  form: { qty: 1 },
  filters: { sale: false },
  ui: { open: false },
  products: [
    { sku: 'TEA-1', name: 'Sencha' },
    { sku: 'TEA-2', name: 'Oolong' },
  ],
};

let setHost: (update: (state: HostState) => HostState) => void = () => {};

/** A host that owns the state and updates it from the actions' `{ value }`. */
function Host({
  spec,
  log,
  issues,
}: {
  spec: Spec;
  log: ActionCall[];
  issues?: SpecRenderIssue[];
}) {
  const [state, setState] = useState(initial);
  setHost = setState;
  const actions = useMemo(() => {
    const update =
      (apply: (state: HostState, value: unknown) => HostState): ActionHandler =>
      (params, context) => {
        const value = record(log, params, context);
        setState((current) => apply(current, value));
      };
    const form = (key: keyof HostState['form']) =>
      update((s, value) => ({ ...s, form: { ...s.form, [key]: value } }));
    return {
      'cart.buy': update((s) => s),
      'card.open': update((s) => s),
      order: update((s) => s),
      'tabs.change': update((s) => s),
      'filters.sale': update((s, value) => ({ ...s, filters: { sale: value === true } })),
      'form.email': form('email'),
      'form.news': form('news'),
      'form.size': form('size'),
      'form.qty': form('qty'),
      'ui.close': update((s) => ({ ...s, ui: { open: false } })),
    };
  }, [log]);
  return (
    <>
      <button type="button" onClick={() => setState((s) => ({ ...s, ui: { open: true } }))}>
        Review order
      </button>
      <SpecView
        spec={spec}
        context={{
          actions,
          scope: state as unknown as Record<string, unknown>,
          onError: (issue) => issues?.push(issue),
        }}
      />
    </>
  );
}

function renderHost() {
  const log: ActionCall[] = [];
  const issues: SpecRenderIssue[] = [];
  const view = render(<Host spec={allTypesSpec} log={log} issues={issues} />);
  return { log, issues, view, user: userEvent.setup() };
}

const last = (log: ActionCall[], name: string) => log.filter((c) => c.name === name).at(-1);

describe('the default registry renders all 20 primitives', () => {
  it('uses a valid spec covering every node type', () => {
    expect(validateSpec(allTypesSpec).errors).toEqual([]);
    expect([...typesOf(allTypesSpec)].sort()).toEqual([...NODE_TYPES].sort());
  });

  it('renders semantic elements, roles and accessible names', () => {
    const { issues } = renderHost();
    expect(screen.getByRole('heading', { level: 2, name: 'Hello Ada' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'A teapot' }).getAttribute('src')).toBe('/hero.png');
    expect(screen.getByRole('img', { name: 'Favourite' }).querySelector('svg')).not.toBeNull();
    expect(screen.getByRole('separator')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Buy' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'On sale' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    const card = screen.getByRole('region', { name: 'Green tea' });
    expect(within(card).getByRole('button', { name: 'Green tea' })).toBeTruthy();
    expect(within(card).getByText('Sencha')).toBeTruthy();
    const reviews = screen.getByRole('region', { name: 'Reviews' });
    expect(reviews.tabIndex).toBe(0);
    expect(screen.getByRole('textbox', { name: 'Email' }).getAttribute('type')).toBe('email');
    expect(screen.getByRole('switch', { name: 'Newsletter' })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: 'Size' })).toBeTruthy();
    const slider = screen.getByRole('slider', { name: 'Quantity' });
    expect(slider.getAttribute('aria-valuetext')).toBe('1');
    const items = within(screen.getByRole('list')).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual(['Sencha (0)', 'Oolong (1)']);
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual([
      'Details',
      'Reviews',
      'Shipping',
    ]);
    expect(screen.getByRole('tabpanel', { name: 'Details' }).textContent).toBe('Details panel');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(issues).toEqual([]);
  });

  it('emits button, chip and card actions with resolved params', async () => {
    const { log, user } = renderHost();
    await user.click(screen.getByRole('button', { name: 'Buy' }));
    await user.click(screen.getByRole('button', { name: 'On sale' }));
    await user.click(screen.getByRole('button', { name: 'Green tea' }));
    expect(log.map((c) => c.name)).toEqual(['cart.buy', 'filters.sale', 'card.open']);
    expect(last(log, 'filters.sale')?.payload).toEqual({ value: true });
    expect(last(log, 'card.open')?.params).toEqual({ sku: 'TEA-1' });
    // The host owns the chip's state: it re-rendered pressed.
    expect(screen.getByRole('button', { name: 'On sale' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
  });

  it('inputs emit { value } and show the host state', async () => {
    const { log, user } = renderHost();
    await user.type(screen.getByRole('textbox', { name: 'Email' }), 'a@b.co');
    expect(last(log, 'form.email')?.payload).toEqual({ value: 'a@b.co' });
    expect((screen.getByRole('textbox', { name: 'Email' }) as HTMLInputElement).value).toBe(
      'a@b.co',
    );

    const toggle = screen.getByRole('switch', { name: 'Newsletter' }) as HTMLInputElement;
    toggle.focus();
    await user.keyboard(' ');
    expect(last(log, 'form.news')?.payload).toEqual({ value: true });
    expect(toggle.checked).toBe(true);
  });

  it('operates select and slider from the keyboard', async () => {
    const { log, user } = renderHost();
    const select = screen.getByRole('combobox', { name: 'Size' }) as HTMLSelectElement;
    await user.tab();
    while (document.activeElement !== select) await user.tab();
    await user.keyboard('{ArrowDown}');
    expect(last(log, 'form.size')?.payload).toEqual({ value: 's' });
    await user.keyboard('{End}');
    expect(last(log, 'form.size')?.payload).toEqual({ value: 'l' });
    await user.keyboard('{ArrowUp}');
    expect(last(log, 'form.size')?.payload).toEqual({ value: 'm' });
    expect(select.selectedOptions[0]?.textContent).toBe('Medium');

    const slider = screen.getByRole('slider', { name: 'Quantity' }) as HTMLInputElement;
    await user.tab();
    expect(document.activeElement).toBe(slider);
    await user.keyboard('{ArrowRight}{ArrowUp}');
    expect(last(log, 'form.qty')?.payload).toEqual({ value: 3 });
    await user.keyboard('{End}');
    expect(slider.value).toBe('10');
    await user.keyboard('{ArrowRight}');
    expect(last(log, 'form.qty')?.payload).toEqual({ value: 10 });
    await user.keyboard('{Home}{ArrowLeft}');
    expect(slider.value).toBe('1');
    expect(slider.getAttribute('aria-valuetext')).toBe('1');
  });

  it('moves between tabs with arrow keys, Home and End', async () => {
    const { log, user } = renderHost();
    const [details, reviews, shipping] = screen.getAllByRole('tab') as HTMLElement[];
    expect(details?.getAttribute('aria-selected')).toBe('true');
    expect(reviews?.tabIndex).toBe(-1);
    details!.focus();
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(reviews);
    expect(reviews?.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel', { name: 'Reviews' }).textContent).toBe('Reviews panel');
    expect(last(log, 'tabs.change')?.payload).toEqual({ value: 1 });
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(shipping);
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(details);
    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toBe(shipping);
    await user.keyboard('{Home}');
    expect(screen.getByRole('tabpanel').textContent).toBe('Details panel');
    // The panel is the next tab stop after the selected tab.
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('tabpanel'));
  });

  it('traps focus in the modal, closes on Escape and restores focus', async () => {
    const { log, user } = renderHost();
    const opener = screen.getByRole('button', { name: 'Review order' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Confirm order' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const close = within(dialog).getByRole('button', { name: 'Close' });
    const place = within(dialog).getByRole('button', { name: 'Place order' });
    const note = within(dialog).getByRole('textbox', { name: 'Note' });
    expect(document.activeElement).toBe(close);
    await user.tab();
    expect(document.activeElement).toBe(place);
    await user.tab();
    expect(document.activeElement).toBe(note);
    await user.tab();
    expect(document.activeElement).toBe(close);
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(note);
    await user.keyboard('{Escape}');
    expect(last(log, 'ui.close')?.payload).toEqual({ value: false });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps list items by key when the data is reordered', () => {
    renderHost();
    const oolong = screen.getByText('Oolong (1)').closest('li');
    act(() => setHost((s) => ({ ...s, products: [...s.products].reverse() })));
    const items = screen.getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual(['Oolong (0)', 'Sencha (1)']);
    expect(items[0]).toBe(oolong);
    act(() => setHost((s) => ({ ...s, products: [] })));
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.getByText('No products')).toBeTruthy();
  });
});

describe('theming', () => {
  it('exposes tokens as --fui-* variables on the root and injects the stylesheet once', () => {
    const registry = createComponentRegistry({ colors: { primary: '#0b7a5b' }, radius: { md: 2 } });
    const spec: Spec = {
      spec_version: 1,
      renderer_min: 1,
      root: { id: 'go', type: 'button', props: { label: 'Go' } },
    };
    const { container } = render(
      <>
        <SpecView spec={spec} context={{ registry }} />
        <SpecView spec={spec} context={{ registry }} />
      </>,
    );
    const root = container.querySelector('.fui-root') as HTMLElement;
    expect(root.style.getPropertyValue('--fui-color-primary')).toBe('#0b7a5b');
    expect(root.style.getPropertyValue('--fui-radius-md')).toBe('2px');
    // Tokens not passed stay with the stylesheet, so host CSS can override them.
    expect(root.style.getPropertyValue('--fui-color-text')).toBe('');
    const styles = document.head.querySelectorAll('style#fui-default-styles');
    expect(styles).toHaveLength(1);
    expect(styles[0]?.textContent).toBe(stylesheet);
    expect(stylesheet).toContain('--fui-color-focus');
    expect(stylesheet).toContain(':focus-visible');
  });

  it('lets a host replace one component and keep the rest', () => {
    const registry = createComponentRegistry(
      {},
      { components: { button: ({ props }) => <a href="#x">{String(props.label)}!</a> } },
    );
    render(
      <SpecView
        spec={{
          spec_version: 1,
          renderer_min: 1,
          root: {
            id: 'r',
            type: 'row',
            children: [
              { id: 'b', type: 'button', props: { label: 'Go' } },
              { id: 't', type: 'text', props: { content: 'Hi' } },
            ],
          },
        }}
        context={{ registry }}
      />,
    );
    expect(screen.getByRole('link', { name: 'Go!' })).toBeTruthy();
    expect(screen.getByText('Hi').tagName).toBe('P');
  });
});
