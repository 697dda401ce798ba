/**
 * The design tokens of the SDUI registries, shared by React DOM (`@factoredui/sdui-react`,
 * which exposes them as `--fui-*` CSS variables) and React Native (`@factoredui/react-native`,
 * which reads them into styles): one theme styles both.
 */

/** Color roles. Values are any CSS color. */
export interface ThemeColors {
  /** Primary actions, selected states, links. */
  primary: string;
  /** Text and icons on `primary`. */
  onPrimary: string;
  /** Page background behind the spec. */
  background: string;
  /** Cards, inputs, dialogs. */
  surface: string;
  /** Body text. */
  text: string;
  /** Secondary text, placeholders, captions. */
  muted: string;
  /** Borders and dividers. */
  border: string;
  /** The focus ring. */
  focus: string;
  success: string;
  warning: string;
  danger: string;
  info: string;
  /** The dimmed layer behind a modal. */
  backdrop: string;
}

/** Font sizes in pixels, by typographic role. */
export interface ThemeFontSizes {
  caption: number;
  label: number;
  body: number;
  subtitle: number;
  heading: number;
  title: number;
}

/** Corner radii in pixels. */
export interface ThemeRadius {
  /** Inputs, chips' inner parts. */
  sm: number;
  /** Buttons, cards. */
  md: number;
  /** Dialogs. */
  lg: number;
}

/** Every token of a theme. */
export interface ThemeTokens {
  colors: ThemeColors;
  /** One theme unit in pixels: a spec's `gap: 2` is `2 * spacing` pixels. */
  spacing: number;
  radius: ThemeRadius;
  fontSizes: ThemeFontSizes;
  /** CSS font-family of text. */
  fontFamily: string;
  /** CSS font-family of `code` text. */
  monoFamily: string;
}

/** A partial theme: only the tokens to change. */
export interface Theme {
  colors?: Partial<ThemeColors>;
  spacing?: number;
  radius?: Partial<ThemeRadius>;
  fontSizes?: Partial<ThemeFontSizes>;
  fontFamily?: string;
  monoFamily?: string;
}

/** The default tokens: neutral, WCAG AA contrast for text and controls on white. */
export const defaultTheme: ThemeTokens = {
  colors: {
    primary: '#2451c7',
    onPrimary: '#ffffff',
    background: '#ffffff',
    surface: '#ffffff',
    text: '#1b1f27',
    muted: '#5b6474',
    border: '#c9ced8',
    focus: '#1a73e8',
    success: '#1d7a3e',
    warning: '#8a5a00',
    danger: '#b3261e',
    info: '#0b62a4',
    backdrop: 'rgba(15, 18, 25, 0.55)',
  },
  spacing: 4,
  radius: { sm: 4, md: 8, lg: 12 },
  fontSizes: { caption: 12, label: 14, body: 16, subtitle: 18, heading: 22, title: 28 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  monoFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
};

/** Merges `theme` over {@link defaultTheme}. */
export function resolveTheme(theme: Theme = {}): ThemeTokens {
  return {
    colors: { ...defaultTheme.colors, ...theme.colors },
    spacing: theme.spacing ?? defaultTheme.spacing,
    radius: { ...defaultTheme.radius, ...theme.radius },
    fontSizes: { ...defaultTheme.fontSizes, ...theme.fontSizes },
    fontFamily: theme.fontFamily ?? defaultTheme.fontFamily,
    monoFamily: theme.monoFamily ?? defaultTheme.monoFamily,
  };
}
