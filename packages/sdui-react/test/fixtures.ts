import { type ActionContext, NODE_TYPES, type Spec } from '@factoredui/core';
import {
  createMemoryDatabase,
  createMemoryStore,
  type MemoryStore,
} from '@factoredui/store-memory';

/** A user store and a service store over one in-memory database. */
export function createStores(userId = 'user-1'): { user: MemoryStore; service: MemoryStore } {
  const database = createMemoryDatabase();
  return {
    user: createMemoryStore({ database, userId }),
    service: createMemoryStore({ database, role: 'service' }),
  };
}

/** A screen using every one of the 20 node types. */
export const allTypesSpec: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'screen',
    type: 'column',
    props: { gap: 2, padding: 4 },
    children: [
      { id: 'headline', type: 'text', props: { content: 'Hello {user.name}', variant: 'title' } },
      { id: 'hero', type: 'image', props: { src: '/hero.png', alt: 'A teapot', width: 320 } },
      { id: 'fav', type: 'icon', props: { name: 'star', label: 'Favourite' } },
      { id: 'rule', type: 'divider' },
      { id: 'gap', type: 'spacer', props: { size: 2 } },
      {
        id: 'actions',
        type: 'row',
        props: { gap: 2, align: 'center' },
        children: [
          { id: 'buy', type: 'button', props: { label: 'Buy' }, action: { name: 'cart.buy' } },
          {
            id: 'sale',
            type: 'chip',
            props: { label: 'On sale', selected: '{filters.sale}' },
            action: { name: 'filters.sale' },
          },
        ],
      },
      {
        id: 'layers',
        type: 'stack',
        children: [{ id: 'badge', type: 'text', props: { content: 'New', variant: 'label' } }],
      },
      {
        id: 'cards',
        type: 'grid',
        props: { columns: 2, gap: 2 },
        children: [
          {
            id: 'tea-card',
            type: 'card',
            props: { title: 'Green tea', subtitle: 'Sencha' },
            action: { name: 'card.open', params: { sku: 'TEA-1' } },
            children: [{ id: 'tea-price', type: 'text', props: { content: '$4' } }],
          },
        ],
      },
      {
        id: 'reviews',
        type: 'scrollview',
        props: { maxHeight: 120, accessibilityLabel: 'Reviews' },
        children: [{ id: 'review-1', type: 'text', props: { content: 'Lovely.' } }],
      },
      {
        id: 'email',
        type: 'textinput',
        props: { label: 'Email', inputType: 'email', value: '{form.email}' },
        action: { name: 'form.email' },
      },
      {
        id: 'news',
        type: 'toggle',
        props: { label: 'Newsletter', value: '{form.news}' },
        action: { name: 'form.news' },
      },
      {
        id: 'size',
        type: 'select',
        props: {
          label: 'Size',
          placeholder: 'Choose a size',
          value: '{form.size}',
          options: [
            { label: 'Small', value: 's' },
            { label: 'Medium', value: 'm' },
            { label: 'Large', value: 'l' },
          ],
        },
        action: { name: 'form.size' },
      },
      {
        id: 'qty',
        type: 'slider',
        props: { label: 'Quantity', min: 1, max: 10, value: '{form.qty}' },
        action: { name: 'form.qty' },
      },
      {
        id: 'products',
        type: 'list',
        props: { data: '{products}', itemKey: 'sku', emptyText: 'No products' },
        itemTemplate: {
          id: 'product-name',
          type: 'text',
          props: { content: '{item.name} ({index})' },
        },
      },
      {
        id: 'info',
        type: 'tabs',
        props: { labels: ['Details', 'Reviews', 'Shipping'] },
        action: { name: 'tabs.change' },
        children: [
          { id: 'details', type: 'text', props: { content: 'Details panel' } },
          { id: 'reviews-panel', type: 'text', props: { content: 'Reviews panel' } },
          { id: 'shipping', type: 'text', props: { content: 'Shipping panel' } },
        ],
      },
      {
        id: 'confirm',
        type: 'modal',
        props: { title: 'Confirm order', open: '{ui.open}' },
        action: { name: 'ui.close' },
        children: [
          { id: 'ok', type: 'button', props: { label: 'Place order' }, action: { name: 'order' } },
          { id: 'note', type: 'textinput', props: { label: 'Note' } },
        ],
      },
    ],
  },
};

/** Node types used by a spec, for checking coverage. */
export function typesOf(spec: Spec): Set<string> {
  const found = new Set<string>();
  const visit = (node: { type: string; children?: unknown[]; itemTemplate?: unknown }) => {
    found.add(node.type);
    for (const child of (node.children ?? []) as (typeof node)[]) visit(child);
    if (node.itemTemplate) visit(node.itemTemplate as typeof node);
  };
  visit(spec.root as Parameters<typeof visit>[0]);
  return found;
}

export { NODE_TYPES };

/** One recorded action: its name, resolved params and the UI payload. */
export interface ActionCall {
  name: string;
  params: Record<string, unknown>;
  payload: Readonly<Record<string, unknown>> | undefined;
}

/** Records the call in `log` and returns the payload's value. */
export function record(log: ActionCall[], params: Record<string, unknown>, context: ActionContext) {
  log.push({ name: context.action.name, params, payload: context.payload });
  return context.payload?.value;
}
