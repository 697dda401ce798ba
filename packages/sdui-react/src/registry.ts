import { NODE_TYPES, type NodeType } from '@factoredui/core';
import type { CSSProperties } from 'react';
import { Card, Chip, createModal, List, Tabs } from './primitives/composite.js';
import {
  createIcon,
  defaultIcons,
  type IconSet,
  Image,
  renderIcon,
  Text,
} from './primitives/content.js';
import { Button, Select, Slider, TextInput, Toggle } from './primitives/inputs.js';
import { Column, Divider, Grid, Row, ScrollView, Spacer, Stack } from './primitives/layout.js';
import { stylesheet } from './styles.js';
import { resolveTheme, type Theme, themeVariables } from './theme.js';
import type { ComponentRegistry, SpecComponent } from './types.js';

/** Options of {@link createComponentRegistry} besides the theme. */
export interface ComponentRegistryOptions {
  /**
   * Replace the component of some node types (keep the rest), e.g. your design system's
   * button. A replacement receives the same {@link SpecComponentProps}.
   */
  components?: Partial<Record<NodeType, SpecComponent>>;
  /** Icons added to (or replacing) the built-in set, by name. */
  icons?: IconSet;
  /**
   * Inject the default stylesheet into `document.head` on first render (default `true`). Turn
   * it off to serve `stylesheet` yourself (strict CSP without a nonce, server rendering
   * without a flash of unstyled content) or to style everything from scratch.
   */
  injectStyles?: boolean;
  /** CSP nonce for the injected `<style>`. */
  nonce?: string;
  /** Accessible name of the modal's close button (default `Close`). */
  closeLabel?: string;
}

/**
 * The default registry: the 20 node types as accessible DOM components (semantic elements,
 * ARIA roles and labels, keyboard operation, visible focus), styled by `--fui-*` CSS
 * variables. Tokens passed in `theme` become variables on the spec's root element; anything
 * not passed stays controllable from host CSS.
 *
 * @example
 * ```tsx
 * const registry = createComponentRegistry({ colors: { primary: '#0b7a5b' }, radius: { md: 4 } });
 * <SpecView spec={spec} context={{ registry, actions }} />
 * ```
 */
export function createComponentRegistry(
  theme: Theme = {},
  options: ComponentRegistryOptions = {},
): ComponentRegistry {
  const icons: IconSet = { ...defaultIcons, ...options.icons };
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
    modal: createModal(options.closeLabel ?? 'Close', renderIcon(icons, 'close', 20)),
    chip: Chip,
  };
  for (const type of NODE_TYPES) {
    const replacement = options.components?.[type];
    if (typeof replacement === 'function') components[type] = replacement;
  }
  return Object.freeze({
    components: Object.freeze(components),
    theme: resolveTheme(theme),
    style: themeVariables(theme) as CSSProperties,
    stylesheet: options.injectStyles === false ? null : stylesheet,
    nonce: options.nonce,
  });
}
