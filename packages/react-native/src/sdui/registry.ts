import { NODE_TYPES, type NodeType } from '@factoredui/core';
import {
  resolveTheme,
  type SpecComponent,
  type SpecRegistry,
  type Theme,
} from '@factoredui/react/spec';
import {
  Button,
  Card,
  Chip,
  Column,
  createIcon,
  createModal,
  Divider,
  defaultNativeIcons,
  Grid,
  Image,
  List,
  type NativeIconSet,
  Row,
  ScrollView,
  Select,
  Slider,
  Spacer,
  Stack,
  Tabs,
  Text,
  TextInput,
  Toggle,
} from './primitives.js';

/** Options of the native {@link createComponentRegistry} besides the theme. */
export interface NativeComponentRegistryOptions {
  /** Replace the component of some node types (keep the rest), e.g. your design system's button. */
  components?: Partial<Record<NodeType, SpecComponent>>;
  /**
   * Icons added to (or replacing) the built-in glyphs, by name: a string glyph or any element
   * (`<Ionicons name="cart" size={20} />`).
   */
  icons?: NativeIconSet;
  /** Accessible name of the modal's close button (default `Close`). */
  closeLabel?: string;
}

/** The native registry: components by node type and the resolved theme tokens. */
export type NativeComponentRegistry = SpecRegistry;

/**
 * The default native registry: the 20 node types as accessible React Native components, styled
 * from the same theme tokens as `@factoredui/sdui-react` (colors, spacing unit, radii, font
 * sizes; `fontFamily` when it names a single family).
 *
 * @example
 * ```tsx
 * const registry = createComponentRegistry({ colors: { primary: '#0b7a5b' }, radius: { md: 4 } });
 * <SpecView spec={spec} context={{ registry, actions }} />
 * ```
 */
export function createComponentRegistry(
  theme: Theme = {},
  options: NativeComponentRegistryOptions = {},
): NativeComponentRegistry {
  const icons: NativeIconSet = { ...defaultNativeIcons, ...options.icons };
  const components: Record<NodeType, SpecComponent> = {
    column: Column,
    row: Row,
    stack: Stack,
    scrollview: ScrollView,
    grid: Grid,
    text: Text,
    image: Image,
    icon: createIcon(icons),
    divider: Divider,
    spacer: Spacer,
    textinput: TextInput,
    button: Button,
    toggle: Toggle,
    select: Select,
    slider: Slider,
    card: Card,
    list: List,
    tabs: Tabs,
    modal: createModal(options.closeLabel ?? 'Close', icons.close ?? '✕'),
    chip: Chip,
  };
  for (const type of NODE_TYPES) {
    const replacement = options.components?.[type];
    if (typeof replacement === 'function') components[type] = replacement;
  }
  return Object.freeze({ components: Object.freeze(components), theme: resolveTheme(theme) });
}
