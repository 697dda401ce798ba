/**
 * `@factoredui/sdui-react`: renders FactoredUI server-driven UI specs with React DOM — the
 * renderer (`renderSpec`, `SpecView`), the default registry of the 20 primitives
 * (`createComponentRegistry`), and hooks that load verified specs (`useSpec`) and data
 * sources (`useSourceData`).
 *
 * @packageDocumentation
 */

// The hooks live in @factoredui/react (React Native uses them too); re-exported unchanged.
export {
  type UseSourceDataResult,
  type UseSpecOptions,
  type UseSpecResult,
  useSourceData,
  useSpec,
} from '@factoredui/react';
export type { IconSet } from './primitives/content.js';
export { defaultIcons } from './primitives/content.js';
export { type ComponentRegistryOptions, createComponentRegistry } from './registry.js';
export { renderSpec, SpecView, type SpecViewProps } from './render.js';
export { stylesheet } from './styles.js';
export {
  defaultTheme,
  resolveTheme,
  type Theme,
  type ThemeColors,
  type ThemeFontSizes,
  type ThemeRadius,
  type ThemeTokens,
  type ThemeVariable,
  themeVariables,
} from './theme.js';
export type {
  ComponentRegistry,
  RenderContext,
  SpecComponent,
  SpecComponentProps,
  SpecRenderIssue,
} from './types.js';
