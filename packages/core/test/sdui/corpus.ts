import type { SpecErrorCode } from '@factoredui/core';

/** One corpus entry: a spec and the error codes `validateSpec` must report (none = valid). */
export interface CorpusCase {
  name: string;
  spec: unknown;
  errors: SpecErrorCode[];
}

type Node = Record<string, unknown>;
const spec = (root: unknown, extra: Record<string, unknown> = {}) => ({
  spec_version: 1,
  renderer_min: 1,
  root,
  ...extra,
});
const text = (id: string, content: unknown = 'Hello', more: Node = {}): Node => ({
  id,
  type: 'text',
  props: { content },
  ...more,
});
const column = (id: string, children: unknown[], more: Node = {}): Node => ({
  id,
  type: 'column',
  children,
  ...more,
});
const nest = (depth: number): Node => {
  let node: Node = text(`n${depth}`);
  for (let d = depth - 1; d >= 1; d--) node = column(`n${d}`, [node]);
  return node;
};

/** One valid node of every type, all in one tree. */
export const EVERY_TYPE_SPEC = spec(
  column(
    'root',
    [
      {
        id: 'r',
        type: 'row',
        props: { gap: 2, wrap: true, justify: 'space-between' },
        children: [],
      },
      { id: 'st', type: 'stack', children: [text('st-a'), text('st-b')] },
      {
        id: 'sv',
        type: 'scrollview',
        props: { direction: 'horizontal', maxHeight: 300 },
        children: [],
      },
      { id: 'g', type: 'grid', props: { columns: 3, gap: '{layout.gap}' }, children: [text('g1')] },
      text('t', 'Hi {user.name}, you have {cart.items.0.qty} items {{literal}}', {
        visible: '{flags.greet}',
      }),
      { id: 'img', type: 'image', props: { src: 'https://cdn.example/{item.sku}.png', alt: '' } },
      { id: 'ic', type: 'icon', props: { name: 'cart', size: 16, label: 'Cart' } },
      { id: 'dv', type: 'divider', props: { orientation: 'vertical' } },
      { id: 'sp', type: 'spacer' },
      {
        id: 'ti',
        type: 'textinput',
        props: { label: 'Email', value: '{form.email}', inputType: 'email', required: true },
        action: { name: 'form.set', params: { field: 'email', value: '{event.value}' } },
      },
      {
        id: 'b',
        type: 'button',
        props: { label: 'Buy', variant: 'primary', disabled: '{cart.empty}' },
        action: { name: 'cart.checkout' },
      },
      { id: 'tg', type: 'toggle', props: { label: 'Gift wrap', value: false } },
      {
        id: 'sel',
        type: 'select',
        props: {
          label: 'Size',
          options: [
            { label: 'S', value: 's' },
            { label: 'M {unit}', value: { n: 2 } },
          ],
        },
      },
      { id: 'sel2', type: 'select', props: { label: 'Color', options: '{catalog.colors}' } },
      {
        id: 'sl',
        type: 'slider',
        props: { label: 'Qty', min: 1, max: 10, step: 1, value: '{qty}' },
      },
      {
        id: 'c',
        type: 'card',
        props: { title: 'Card', subtitle: 'Sub' },
        children: [text('c1')],
        action: { name: 'open' },
      },
      {
        id: 'l',
        type: 'list',
        props: { data: '{products}', emptyText: 'Nothing', itemKey: 'sku' },
        itemTemplate: text('l-item', '{item.name}: {item.price}'),
      },
      {
        id: 'tb',
        type: 'tabs',
        props: { labels: ['One', 'Two'], selected: 0 },
        children: [text('tb1'), text('tb2')],
      },
      {
        id: 'm',
        type: 'modal',
        props: { title: 'Sure?', open: '{ui.confirm}' },
        children: [],
        action: { name: 'ui.close' },
      },
      {
        id: 'ch',
        type: 'chip',
        props: { label: 'New', tone: 'info', selected: true, testId: 'chip-new' },
      },
    ],
    { props: { gap: 1, accessibilityLabel: 'Page' } },
  ),
  { $schema: 'https://unpkg.com/@factoredui/core/src/sdui/spec.schema.json' },
);

/** The corpus both the validator and the JSON Schema run on. */
export const CORPUS: CorpusCase[] = [
  { name: 'every node type', spec: EVERY_TYPE_SPEC, errors: [] },
  { name: 'minimal', spec: spec(text('only')), errors: [] },
  { name: 'depth exactly 20', spec: spec(nest(20)), errors: [] },
  { name: 'visible false literal', spec: spec(text('a', 'x', { visible: false })), errors: [] },
  { name: 'escaped braces only', spec: spec(text('a', '{{ not a binding }}')), errors: [] },
  { name: 'array index binding', spec: spec(text('a', '{rows.10.name}')), errors: [] },

  { name: 'not an object', spec: 'hello', errors: ['invalid_spec'] },
  { name: 'array spec', spec: [], errors: ['invalid_spec'] },
  {
    name: 'unknown top-level field',
    spec: spec(text('a'), { theme: 'dark' }),
    errors: ['unknown_field'],
  },
  {
    name: 'wrong spec_version',
    spec: { ...spec(text('a')), spec_version: 2 },
    errors: ['unsupported_spec_version'],
  },
  {
    name: 'renderer_min too high',
    spec: { ...spec(text('a')), renderer_min: 99 },
    errors: ['renderer_too_old'],
  },
  {
    name: 'renderer_min not integer',
    spec: { ...spec(text('a')), renderer_min: 1.5 },
    errors: ['invalid_renderer_min'],
  },
  { name: 'missing root', spec: { spec_version: 1, renderer_min: 1 }, errors: ['missing_root'] },
  { name: 'node not object', spec: spec(column('root', [42])), errors: ['invalid_node'] },
  { name: 'unknown type', spec: spec({ id: 'a', type: 'carousel' }), errors: ['unknown_type'] },
  { name: 'missing type', spec: spec({ id: 'a' }), errors: ['unknown_type'] },
  { name: 'missing id', spec: spec({ type: 'spacer' }), errors: ['missing_id'] },
  { name: 'id with slash', spec: spec({ id: 'a/b', type: 'spacer' }), errors: ['invalid_id'] },
  { name: 'numeric id', spec: spec({ id: 7, type: 'spacer' }), errors: ['invalid_id'] },
  {
    name: 'unknown node field',
    spec: spec({ id: 'a', type: 'spacer', style: {} }),
    errors: ['unknown_field'],
  },
  {
    name: 'missing required prop',
    spec: spec({ id: 'a', type: 'text', props: {} }),
    errors: ['missing_prop'],
  },
  {
    name: 'missing props entirely',
    spec: spec({ id: 'a', type: 'button' }),
    errors: ['missing_prop'],
  },
  {
    name: 'unknown prop',
    spec: spec(text('a', 'x', { props: { content: 'x', colour: 'red' } })),
    errors: ['unknown_prop'],
  },
  {
    name: 'props not object',
    spec: spec({ id: 'a', type: 'spacer', props: [] }),
    errors: ['invalid_props'],
  },
  {
    name: 'wrong prop type',
    spec: spec({ id: 'a', type: 'grid', props: { columns: 'three' } }),
    errors: ['invalid_prop'],
  },
  {
    name: 'integer prop fraction',
    spec: spec({ id: 'a', type: 'grid', props: { columns: 1.5 } }),
    errors: ['invalid_prop'],
  },
  {
    name: 'below minimum',
    spec: spec({ id: 'a', type: 'spacer', props: { size: -1 } }),
    errors: ['invalid_prop'],
  },
  {
    name: 'bad enum',
    spec: spec({ id: 'a', type: 'divider', props: { orientation: 'diagonal' } }),
    errors: ['invalid_prop'],
  },
  { name: 'text content number', spec: spec(text('a', 42)), errors: ['invalid_prop'] },
  {
    name: 'expression binding',
    spec: spec(text('a', 'Total {price * qty}')),
    errors: ['malformed_binding'],
  },
  { name: 'empty binding', spec: spec(text('a', 'x {} y')), errors: ['malformed_binding'] },
  { name: 'unbalanced brace', spec: spec(text('a', 'oops { here')), errors: ['malformed_binding'] },
  { name: 'call binding', spec: spec(text('a', '{user.name()}')), errors: ['malformed_binding'] },
  { name: 'leading dot binding', spec: spec(text('a', '{.x}')), errors: ['malformed_binding'] },
  { name: 'index first binding', spec: spec(text('a', '{0.x}')), errors: ['malformed_binding'] },
  {
    name: 'malformed number binding',
    spec: spec({ id: 'a', type: 'spacer', props: { size: '{a b}' } }),
    errors: ['malformed_binding'],
  },
  {
    name: 'list data literal',
    spec: spec({ id: 'l', type: 'list', props: { data: [1, 2] }, itemTemplate: text('i') }),
    errors: ['malformed_binding'],
  },
  {
    name: 'bad binding in action params',
    spec: spec({
      id: 'b',
      type: 'button',
      props: { label: 'x' },
      action: { name: 'go', params: { to: '{a..b}' } },
    }),
    errors: ['malformed_binding'],
  },
  {
    name: 'bad visible binding',
    spec: spec(text('a', 'x', { visible: 'yes' })),
    errors: ['malformed_binding'],
  },
  {
    name: 'visible number',
    spec: spec(text('a', 'x', { visible: 1 })),
    errors: ['invalid_visible'],
  },
  {
    name: 'children on a leaf',
    spec: spec(text('a', 'x', { children: [] })),
    errors: ['unexpected_children'],
  },
  {
    name: 'children not array',
    spec: spec(column('a', {} as unknown as unknown[])),
    errors: ['invalid_children'],
  },
  {
    name: 'list without itemTemplate',
    spec: spec({ id: 'l', type: 'list', props: { data: '{rows}' } }),
    errors: ['missing_item_template'],
  },
  {
    name: 'list with children',
    spec: spec({
      id: 'l',
      type: 'list',
      props: { data: '{rows}' },
      itemTemplate: text('i'),
      children: [],
    }),
    errors: ['unexpected_children'],
  },
  {
    name: 'itemTemplate on a column',
    spec: spec(column('c', [], { itemTemplate: text('i') })),
    errors: ['unexpected_item_template'],
  },
  {
    name: 'action without name',
    spec: spec({ id: 'b', type: 'button', props: { label: 'x' }, action: { params: {} } }),
    errors: ['missing_action_name'],
  },
  {
    name: 'action empty name',
    spec: spec({ id: 'b', type: 'button', props: { label: 'x' }, action: { name: '' } }),
    errors: ['missing_action_name'],
  },
  {
    name: 'action name with space',
    spec: spec({ id: 'b', type: 'button', props: { label: 'x' }, action: { name: 'do it' } }),
    errors: ['invalid_action'],
  },
  {
    name: 'action not object',
    spec: spec({ id: 'b', type: 'button', props: { label: 'x' }, action: 'go' }),
    errors: ['invalid_action'],
  },
  {
    name: 'action unknown field',
    spec: spec({
      id: 'b',
      type: 'button',
      props: { label: 'x' },
      action: { name: 'go', href: '/' },
    }),
    errors: ['unknown_field'],
  },
  {
    name: 'select option without value',
    spec: spec({ id: 's', type: 'select', props: { label: 'x', options: [{ label: 'a' }] } }),
    errors: ['invalid_prop'],
  },
  {
    name: 'slider missing max',
    spec: spec({ id: 's', type: 'slider', props: { label: 'x', min: 0 } }),
    errors: ['missing_prop'],
  },
  {
    name: 'several errors at once',
    spec: spec(
      column('root', [
        { id: 'x', type: 'nope' },
        text('y', 'bad {'),
        { type: 'button', props: {} },
      ]),
    ),
    errors: ['unknown_type', 'malformed_binding', 'missing_id', 'missing_prop'],
  },

  // Tree-wide rules: the JSON Schema cannot state them, validateSpec catches them.
  {
    name: 'duplicate id',
    spec: spec(column('root', [text('same'), text('same')])),
    errors: ['duplicate_id'],
  },
  {
    name: 'duplicate id inside template',
    spec: spec(
      column('root', [
        text('i'),
        { id: 'l', type: 'list', props: { data: '{r}' }, itemTemplate: text('i') },
      ]),
    ),
    errors: ['duplicate_id'],
  },
  { name: 'depth 21', spec: spec(nest(21)), errors: ['depth_exceeded'] },
  {
    name: 'tabs label count',
    spec: spec({
      id: 't',
      type: 'tabs',
      props: { labels: ['a'] },
      children: [text('p1'), text('p2')],
    }),
    errors: ['tabs_mismatch'],
  },
];
