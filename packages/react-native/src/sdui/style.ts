import { num, type SpecComponentProps, type ThemeTokens, text } from '@factoredui/react/spec';
import type { AccessibilityProps, ViewStyle } from 'react-native';

/** A length in theme units as dp (`2` → `2 * theme.spacing`), or `undefined`. */
export function space(theme: ThemeTokens, units: unknown): number | undefined {
  const n = num(units);
  return n === undefined || n < 0 ? undefined : n * theme.spacing;
}

/**
 * The theme's font family when it names one family. The tokens are shared with the DOM, whose
 * default is a CSS fallback stack (`system-ui, ...`) that native text cannot use: then the
 * platform's system font is kept.
 */
export function fontFamily(family: string): string | undefined {
  return family.includes(',') ? undefined : family.replace(/^["']|["']$/g, '') || undefined;
}

const ALIGN = {
  start: 'flex-start',
  center: 'center',
  end: 'flex-end',
  stretch: 'stretch',
} as const;
const JUSTIFY = {
  start: 'flex-start',
  center: 'center',
  end: 'flex-end',
  'space-between': 'space-between',
  'space-around': 'space-around',
} as const;

/** Flex layout style from `gap`, `padding`, `align`, `justify`. */
export function layoutStyle(theme: ThemeTokens, props: SpecComponentProps['props']): ViewStyle {
  const gap = space(theme, props.gap);
  const padding = space(theme, props.padding);
  const align = text(props.align);
  const justify = text(props.justify);
  return {
    ...(gap === undefined ? {} : { gap }),
    ...(padding === undefined ? {} : { padding }),
    ...(align && Object.hasOwn(ALIGN, align)
      ? { alignItems: ALIGN[align as keyof typeof ALIGN] }
      : {}),
    ...(justify && Object.hasOwn(JUSTIFY, justify)
      ? { justifyContent: JUSTIFY[justify as keyof typeof JUSTIFY] }
      : {}),
  };
}

/** `accessibilityLabel` and `testID` from the spec's common props. */
export function common(props: SpecComponentProps['props']): {
  accessibilityLabel?: string;
  testID?: string;
} & Pick<AccessibilityProps, 'accessibilityLabel'> {
  const out: { accessibilityLabel?: string; testID?: string } = {};
  const label = text(props.accessibilityLabel);
  const testId = text(props.testId);
  if (label) out.accessibilityLabel = label;
  if (testId) out.testID = testId;
  return out;
}
