/**
 * Design tokens of the default registry and their CSS custom properties (`--fui-*`).
 *
 * Every visual decision of the stylesheet reads a variable, so a host restyles by setting
 * variables (in its own CSS, on `.fui-root` or any ancestor) or by passing tokens to
 * `createComponentRegistry`; it never has to fork a component. The tokens themselves are
 * shared with React Native (`@factoredui/react/spec`).
 */
import type { Theme } from '@factoredui/react/spec';

export {
  defaultTheme,
  resolveTheme,
  type Theme,
  type ThemeColors,
  type ThemeFontSizes,
  type ThemeRadius,
  type ThemeTokens,
} from '@factoredui/react/spec';

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A CSS custom property name of the registry, e.g. `--fui-color-primary`. */
export type ThemeVariable = `--fui-${string}`;

/**
 * The CSS custom properties for `theme`: `--fui-color-<role>`, `--fui-space`,
 * `--fui-radius-<size>`, `--fui-font-size-<role>`, `--fui-font-family`, `--fui-mono-family`.
 * Only the tokens present in `theme` are returned, so host CSS keeps control of the rest.
 *
 * @example
 * ```ts
 * themeVariables({ colors: { primary: '#0a7' } }); // { '--fui-color-primary': '#0a7' }
 * ```
 */
export function themeVariables(theme: Theme): Record<ThemeVariable, string> {
  const vars: Record<ThemeVariable, string> = {};
  for (const [role, value] of Object.entries(theme.colors ?? {}))
    if (typeof value === 'string') vars[`--fui-color-${kebab(role)}`] = value;
  if (typeof theme.spacing === 'number') vars['--fui-space'] = `${theme.spacing}px`;
  for (const [size, value] of Object.entries(theme.radius ?? {}))
    if (typeof value === 'number') vars[`--fui-radius-${size}`] = `${value}px`;
  for (const [role, value] of Object.entries(theme.fontSizes ?? {}))
    if (typeof value === 'number') vars[`--fui-font-size-${kebab(role)}`] = `${value}px`;
  if (theme.fontFamily) vars['--fui-font-family'] = theme.fontFamily;
  if (theme.monoFamily) vars['--fui-mono-family'] = theme.monoFamily;
  return vars;
}
