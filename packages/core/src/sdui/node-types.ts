/**
 * The catalog of the 20 SDUI node types: what each one is, which props it takes and whether it
 * has children. The validator, the JSON Schema and the docs table are all derived from this
 * one table, so they cannot drift apart.
 */

/** The 20 node types of a spec, in documentation order. */
export const NODE_TYPES = [
  'column',
  'row',
  'stack',
  'scrollview',
  'grid',
  'text',
  'image',
  'icon',
  'divider',
  'spacer',
  'textinput',
  'button',
  'toggle',
  'select',
  'slider',
  'card',
  'list',
  'tabs',
  'modal',
  'chip',
] as const;

/** One of {@link NODE_TYPES}. */
export type NodeType = (typeof NODE_TYPES)[number];

/**
 * The kind of value a prop holds. Every kind except `binding` also accepts a whole-value
 * binding (`"{path.to.value}"`) resolved at render time.
 *
 * - `text`: a string; `{path}` tokens inside it are replaced (inline bindings).
 * - `number`, `boolean`: literals.
 * - `enum`: one of the listed strings.
 * - `binding`: must be a whole-value binding (for example a list's `data`).
 * - `options`: an array of `{ label, value }` objects (select).
 * - `texts`: an array of text values (tab labels).
 * - `value`: any JSON value (strings inside it are templates).
 */
export type PropKind =
  | 'text'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'binding'
  | 'options'
  | 'texts'
  | 'value';

/** How one prop of a node type is defined. */
export interface PropDefinition {
  kind: PropKind;
  /** True when the node is invalid without it. */
  required?: boolean;
  /** The allowed strings of an `enum` prop. */
  values?: readonly string[];
  /** Lower bound of a `number` prop (inclusive). */
  minimum?: number;
  /** True when a `number` prop must be a whole number. */
  integer?: boolean;
  /** What the prop does; shown in the JSON Schema and the docs. */
  description: string;
}

/** How a node type treats children. */
export type ChildrenPolicy = 'none' | 'many' | 'template';

/** The definition of one node type. */
export interface NodeTypeDefinition {
  /** What the node renders. */
  description: string;
  /** `many`: `children` allowed; `template`: `itemTemplate` required; `none`: neither. */
  children: ChildrenPolicy;
  /** Props specific to the type (the common props are added to every type). */
  props: Readonly<Record<string, PropDefinition>>;
}

const ALIGN = ['start', 'center', 'end', 'stretch'] as const;
const JUSTIFY = ['start', 'center', 'end', 'space-between', 'space-around'] as const;

const LAYOUT_PROPS = {
  gap: { kind: 'number', minimum: 0, description: 'Space between children, in theme units.' },
  padding: { kind: 'number', minimum: 0, description: 'Inner padding, in theme units.' },
  align: { kind: 'enum', values: ALIGN, description: 'Cross-axis alignment of the children.' },
  justify: {
    kind: 'enum',
    values: JUSTIFY,
    description: 'Main-axis distribution of the children.',
  },
} as const satisfies Record<string, PropDefinition>;

/** Props every node type accepts. */
export const COMMON_PROPS = {
  accessibilityLabel: {
    kind: 'text',
    description: 'Label announced by assistive technology when the visible text is not enough.',
  },
  testId: { kind: 'text', description: 'Stable identifier for end-to-end tests.' },
} as const satisfies Readonly<Record<string, PropDefinition>>;

/** The definition of every node type: the single source of the spec format. */
export const NODE_TYPE_DEFINITIONS = {
  column: {
    description: 'Lays children out top to bottom.',
    children: 'many',
    props: LAYOUT_PROPS,
  },
  row: {
    description: 'Lays children out start to end.',
    children: 'many',
    props: {
      ...LAYOUT_PROPS,
      wrap: { kind: 'boolean', description: 'Wrap children onto new lines.' },
    },
  },
  stack: {
    description: 'Layers children on top of each other (first child at the back).',
    children: 'many',
    props: { align: { kind: 'enum', values: ALIGN, description: 'Alignment of the layers.' } },
  },
  scrollview: {
    description: 'A scrollable region around its children.',
    children: 'many',
    props: {
      direction: {
        kind: 'enum',
        values: ['vertical', 'horizontal'],
        description: 'Scroll direction (default vertical).',
      },
      maxHeight: { kind: 'number', minimum: 0, description: 'Maximum height in pixels.' },
    },
  },
  grid: {
    description: 'Lays children out in a grid of equal columns.',
    children: 'many',
    props: {
      columns: {
        kind: 'number',
        required: true,
        integer: true,
        minimum: 1,
        description: 'Number of columns.',
      },
      gap: { kind: 'number', minimum: 0, description: 'Space between cells, in theme units.' },
    },
  },
  text: {
    description: 'A run of text.',
    children: 'none',
    props: {
      content: { kind: 'text', required: true, description: 'The text; may embed `{bindings}`.' },
      variant: {
        kind: 'enum',
        values: ['body', 'title', 'heading', 'subtitle', 'caption', 'label', 'code'],
        description: 'Typographic role (default body).',
      },
      align: { kind: 'enum', values: ['start', 'center', 'end'], description: 'Text alignment.' },
      tone: {
        kind: 'enum',
        values: ['default', 'muted', 'success', 'warning', 'danger'],
        description: 'Color role from the theme.',
      },
      maxLines: {
        kind: 'number',
        integer: true,
        minimum: 1,
        description: 'Truncate after this many lines.',
      },
    },
  },
  image: {
    description: 'An image.',
    children: 'none',
    props: {
      src: { kind: 'text', required: true, description: 'Image URL.' },
      alt: {
        kind: 'text',
        required: true,
        description: 'Alternative text; an empty string marks the image decorative.',
      },
      width: { kind: 'number', minimum: 0, description: 'Width in pixels.' },
      height: { kind: 'number', minimum: 0, description: 'Height in pixels.' },
      fit: { kind: 'enum', values: ['cover', 'contain', 'fill'], description: 'Object fit.' },
    },
  },
  icon: {
    description: 'An icon from the registry’s icon set.',
    children: 'none',
    props: {
      name: { kind: 'text', required: true, description: 'Icon name in the icon set.' },
      size: { kind: 'number', minimum: 0, description: 'Size in pixels.' },
      label: { kind: 'text', description: 'Accessible label; without one the icon is decorative.' },
    },
  },
  divider: {
    description: 'A separating line.',
    children: 'none',
    props: {
      orientation: {
        kind: 'enum',
        values: ['horizontal', 'vertical'],
        description: 'Line direction (default horizontal).',
      },
    },
  },
  spacer: {
    description: 'Empty space.',
    children: 'none',
    props: { size: { kind: 'number', minimum: 0, description: 'Size in theme units.' } },
  },
  textinput: {
    description: 'A single-line text field; emits its action with `{ value }` on change.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Visible label of the field.' },
      value: { kind: 'value', description: 'Current value (usually a binding to host state).' },
      placeholder: { kind: 'text', description: 'Placeholder text.' },
      inputType: {
        kind: 'enum',
        values: ['text', 'email', 'number', 'password', 'tel', 'url', 'search'],
        description: 'Keyboard and validation hint (default text).',
      },
      disabled: { kind: 'boolean', description: 'Disable the field.' },
      required: { kind: 'boolean', description: 'Mark the field required.' },
      error: { kind: 'text', description: 'Error message shown under the field.' },
    },
  },
  button: {
    description: 'A button; emits its action when pressed.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Button text.' },
      variant: {
        kind: 'enum',
        values: ['primary', 'secondary', 'tertiary', 'danger', 'link'],
        description: 'Visual emphasis (default primary).',
      },
      disabled: { kind: 'boolean', description: 'Disable the button.' },
      loading: { kind: 'boolean', description: 'Show a busy state and ignore presses.' },
    },
  },
  toggle: {
    description: 'An on/off switch; emits its action with `{ value }` on change.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Visible label.' },
      value: { kind: 'boolean', description: 'Current state (usually a binding).' },
      disabled: { kind: 'boolean', description: 'Disable the switch.' },
    },
  },
  select: {
    description: 'A choice among options; emits its action with `{ value }` on change.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Visible label.' },
      options: {
        kind: 'options',
        required: true,
        description: 'The choices, each `{ label, value }`; or a binding to such an array.',
      },
      value: { kind: 'value', description: 'The selected value (usually a binding).' },
      placeholder: { kind: 'text', description: 'Shown when nothing is selected.' },
      disabled: { kind: 'boolean', description: 'Disable the control.' },
    },
  },
  slider: {
    description: 'A numeric range input; emits its action with `{ value }` on change.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Visible label.' },
      min: { kind: 'number', required: true, description: 'Smallest value.' },
      max: { kind: 'number', required: true, description: 'Largest value.' },
      step: { kind: 'number', minimum: 0, description: 'Increment (default 1).' },
      value: { kind: 'number', description: 'Current value (usually a binding).' },
      disabled: { kind: 'boolean', description: 'Disable the slider.' },
    },
  },
  card: {
    description: 'A surface grouping its children, optionally titled; pressable with an action.',
    children: 'many',
    props: {
      title: { kind: 'text', description: 'Heading of the card.' },
      subtitle: { kind: 'text', description: 'Secondary heading.' },
      padding: { kind: 'number', minimum: 0, description: 'Inner padding, in theme units.' },
    },
  },
  list: {
    description: 'Renders `itemTemplate` once per item of `data`, with `{item.*}` in scope.',
    children: 'template',
    props: {
      data: { kind: 'binding', required: true, description: 'Binding to the array to render.' },
      emptyText: { kind: 'text', description: 'Shown when the array is empty or missing.' },
      itemKey: {
        kind: 'text',
        description: 'Field of each item that identifies it (default: the index).',
      },
      gap: { kind: 'number', minimum: 0, description: 'Space between items, in theme units.' },
    },
  },
  tabs: {
    description: 'Tabbed panels: child i is the panel of `labels[i]`.',
    children: 'many',
    props: {
      labels: { kind: 'texts', required: true, description: 'One label per child panel.' },
      selected: {
        kind: 'number',
        integer: true,
        minimum: 0,
        description: 'Index of the selected tab.',
      },
    },
  },
  modal: {
    description: 'A dialog over the page; its action is emitted when the user dismisses it.',
    children: 'many',
    props: {
      title: { kind: 'text', required: true, description: 'Dialog title (its accessible name).' },
      open: { kind: 'boolean', required: true, description: 'Whether the dialog is shown.' },
    },
  },
  chip: {
    description: 'A compact label, filter or status; pressable with an action.',
    children: 'none',
    props: {
      label: { kind: 'text', required: true, description: 'Chip text.' },
      selected: { kind: 'boolean', description: 'Selected state of a filter chip.' },
      tone: {
        kind: 'enum',
        values: ['default', 'info', 'success', 'warning', 'danger'],
        description: 'Color role from the theme.',
      },
    },
  },
} as const satisfies Readonly<Record<NodeType, NodeTypeDefinition>>;

/** True when `value` is one of {@link NODE_TYPES}. */
export function isNodeType(value: unknown): value is NodeType {
  return typeof value === 'string' && Object.hasOwn(NODE_TYPE_DEFINITIONS, value);
}
