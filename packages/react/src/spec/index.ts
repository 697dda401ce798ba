/**
 * `@factoredui/react/spec`: the renderer-agnostic part of server-driven UI in React, shared by
 * `@factoredui/sdui-react` (React DOM) and `@factoredui/react-native` (native views): the spec
 * renderer (`SpecNodes`), the registry and render types, the theme tokens and the coercion of
 * resolved props. Apps use the platform packages; this entry is for registries and renderers.
 *
 * @packageDocumentation
 */
export { SpecNodes, type SpecNodesProps } from './renderer.js';
export {
  defaultTheme,
  resolveTheme,
  type Theme,
  type ThemeColors,
  type ThemeFontSizes,
  type ThemeRadius,
  type ThemeTokens,
} from './theme.js';
export type {
  SpecComponent,
  SpecComponentProps,
  SpecHost,
  SpecPathProps,
  SpecRegistry,
  SpecRenderIssue,
  SpecRenderOptions,
} from './types.js';
export { bool, num, oneOf, text } from './values.js';
