import { convertSpecFrom05, isFactoredError, validateSpec } from '@factoredui/core';
import { describe, expect, it } from 'vitest';

// A corpus of FactoredUI 0.5.1 specs in 0.5.1's own format (SpecNode with `{ action, params }`
// actions, props named as 0.5.1 named them, `{path}` bindings): every node type, actions,
// bindings, visibility, list templates.
const CORPUS = {
  checkout: {
    spec_version: 1,
    renderer_min: 1,
    root: {
      id: 'root',
      type: 'column',
      props: { gap: 8, padding: [16, 8, 16, 8], align: 'stretch', justify: 'between', flex: 1 },
      children: [
        {
          id: 'title',
          type: 'text',
          props: {
            value: 'Hi {user.name}',
            variant: 'subheading',
            align: 'left',
            color: '#333',
            numberOfLines: 2,
          },
        },
        {
          id: 'hero',
          type: 'image',
          props: { source: '{sources.promo.image}', alt: 'Promo', fit: 'cover', aspectRatio: 1.5 },
        },
        { id: 'star', type: 'icon', props: { name: 'star', size: 16, color: 'gold' } },
        { id: 'sep', type: 'divider', props: { orientation: 'horizontal' } },
        { id: 'gap', type: 'spacer', props: { size: 4 } },
        {
          id: 'email',
          type: 'textinput',
          props: {
            placeholder: 'Email',
            maxLength: 80,
            submitAction: { action: 'form.submit', params: { field: 'email' } },
          },
        },
        {
          id: 'pay',
          type: 'button',
          props: {
            label: 'Pay {sources.cart.total}',
            variant: 'destructive',
            size: 'lg',
            disabled: '{cart.empty}',
          },
          action: { action: 'checkout.pay', params: { method: 'card', retries: 2 } },
        },
        { id: 'news', type: 'toggle', props: { label: 'Newsletter', value: '{prefs.news}' } },
        {
          id: 'country',
          type: 'select',
          props: {
            options: [
              { label: 'France', value: 'fr' },
              { label: 'Japan', value: 'jp' },
            ],
            placeholder: 'Country',
            selectedValue: '{form.country}',
          },
        },
        { id: 'tip', type: 'slider', props: { min: 0, max: 20, step: 1, value: '{form.tip}' } },
        {
          id: 'summary',
          type: 'card',
          props: { variant: 'outlined' },
          children: [
            {
              id: 'items',
              type: 'list',
              props: {
                data: '{sources.cart.items}',
                emptyText: 'Empty',
                maxItems: 10,
                itemTemplate: {
                  id: 'item',
                  type: 'row',
                  children: [
                    { id: 'item-name', type: 'text', props: { value: '{item.name}' } },
                    {
                      id: 'item-tag',
                      type: 'chip',
                      props: { label: '{item.tag}', selected: false, variant: 'outlined' },
                    },
                  ],
                },
              },
            },
          ],
        },
        {
          id: 'more',
          type: 'tabs',
          props: { items: ['Details', 'Reviews'], selectedIndex: 0 },
          children: [
            {
              id: 'details',
              type: 'stack',
              children: [{ id: 'd-text', type: 'text', props: { value: 'Details' } }],
            },
            {
              id: 'reviews',
              type: 'scrollview',
              props: { horizontal: true },
              children: [
                {
                  id: 'review-grid',
                  type: 'grid',
                  props: { columns: 2, gap: 4 },
                  children: [
                    { id: 'r1', type: 'text', props: { value: 'Great', variant: 'caption' } },
                  ],
                },
              ],
            },
          ],
        },
        {
          id: 'confirm',
          type: 'modal',
          visible: '{ui.confirmOpen}',
          props: { title: 'Confirm', dismissible: true },
          children: [
            {
              id: 'ok',
              type: 'button',
              props: { label: 'OK', variant: 'ghost' },
              action: { action: 'modal.close' },
            },
          ],
        },
        { id: 'hidden-row', type: 'row', visible: '{flags.beta}', props: { gap: 2 }, children: [] },
      ],
    },
  },
  minimal: {
    spec_version: 1,
    renderer_min: 1,
    root: { id: 'r', type: 'text', props: { value: 'Hello' } },
  },
};

/** Every node type of a converted tree. */
function typesOf(node: { type: string; children?: unknown[]; itemTemplate?: unknown }): string[] {
  const kids = [
    ...(node.children ?? []),
    ...(node.itemTemplate ? [node.itemTemplate] : []),
  ] as (typeof node)[];
  return [node.type, ...kids.flatMap(typesOf)];
}

describe('convertSpecFrom05: the 0.5.1 spec corpus converts and validates', () => {
  it('0.5.1 specs fail validation as they are (the reason to convert)', () => {
    expect(validateSpec(CORPUS.checkout).valid).toBe(false);
    expect(validateSpec(CORPUS.minimal).valid).toBe(false);
  });

  for (const [name, spec05] of Object.entries(CORPUS)) {
    it(`${name}: converts to a spec that validates`, () => {
      const { spec } = convertSpecFrom05(spec05);
      expect(validateSpec(spec)).toMatchObject({ valid: true, errors: [] });
    });
  }

  it('covers every node type of 0.5.1 (all 20)', () => {
    const { spec } = convertSpecFrom05(CORPUS.checkout);
    expect(new Set(typesOf(spec.root as never)).size).toBe(20);
  });

  it('maps actions ({action} -> {name}), renamed props and values, and keeps bindings', () => {
    const { spec, warnings } = convertSpecFrom05(CORPUS.checkout);
    const byId = new Map<string, Record<string, unknown>>();
    const walk = (n: Record<string, unknown>) => {
      byId.set(String(n.id), n);
      for (const c of (n.children as Record<string, unknown>[] | undefined) ?? []) walk(c);
      if (n.itemTemplate) walk(n.itemTemplate as Record<string, unknown>);
    };
    walk(spec.root as unknown as Record<string, unknown>);
    expect(byId.get('pay')).toMatchObject({
      action: { name: 'checkout.pay', params: { method: 'card', retries: 2 } },
      props: { label: 'Pay {sources.cart.total}', variant: 'danger', disabled: '{cart.empty}' },
    });
    expect(byId.get('email')).toMatchObject({
      action: { name: 'form.submit', params: { field: 'email' } },
      props: { label: 'Email', placeholder: 'Email' },
    });
    expect(byId.get('title')?.props).toEqual({
      content: 'Hi {user.name}',
      variant: 'subtitle',
      align: 'start',
      maxLines: 2,
    });
    expect(byId.get('hero')?.props).toEqual({
      src: '{sources.promo.image}',
      alt: 'Promo',
      fit: 'cover',
    });
    expect(byId.get('country')?.props).toMatchObject({ value: '{form.country}', label: 'Country' });
    expect(byId.get('more')?.props).toEqual({ labels: ['Details', 'Reviews'], selected: 0 });
    expect(byId.get('items')).toMatchObject({
      props: { data: '{sources.cart.items}', emptyText: 'Empty' },
    });
    expect(byId.get('items')?.itemTemplate).toMatchObject({ id: 'item', type: 'row' });
    expect(byId.get('confirm')).toMatchObject({
      props: { title: 'Confirm', open: '{ui.confirmOpen}' },
    });
    expect(byId.get('confirm')?.visible).toBeUndefined();
    expect(byId.get('hidden-row')?.visible).toBe('{flags.beta}');
    expect(byId.get('root')?.props).toEqual({
      gap: 8,
      padding: 16,
      align: 'stretch',
      justify: 'space-between',
    });
    expect(byId.get('reviews')?.props).toEqual({ direction: 'horizontal' });
    // Nothing is dropped silently: every prop without a counterpart is named.
    for (const dropped of [
      'color',
      'aspectRatio',
      'maxLength',
      'size',
      'maxItems',
      'dismissible',
      'flex',
    ]) {
      expect(
        warnings.some((w) => w.includes(`prop ${dropped} dropped`)),
        dropped,
      ).toBe(true);
    }
    expect(warnings).toContain('root.children[9]: label is required now; set to "tip", review it.');
  });

  it('takes a 0.5.1 signed envelope too, and refuses what is not a 0.5 spec', () => {
    const { spec } = convertSpecFrom05({
      spec: CORPUS.minimal,
      signature: 'x',
      signed_at: 'y',
      spec_hash: 'z',
    });
    expect(spec.root).toEqual({ id: 'r', type: 'text', props: { content: 'Hello' } });
    for (const bad of [null, 42, { root: 'x' }, { root: { id: 'a', type: 'carousel' } }]) {
      let error: unknown;
      try {
        convertSpecFrom05(bad);
      } catch (e) {
        error = e;
      }
      expect(isFactoredError(error, 'invalid_input'), JSON.stringify(bad)).toBe(true);
    }
  });
});
