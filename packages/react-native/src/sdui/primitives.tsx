import {
  bool,
  num,
  oneOf,
  type SpecComponentProps,
  type ThemeTokens,
  text,
} from '@factoredui/react/spec';
import { Children, type JSX, type ReactNode, useState } from 'react';
import {
  Image as NativeImage,
  Modal as NativeModal,
  Text as NativeText,
  TextInput as NativeTextInput,
  Pressable,
  Switch,
  type TextStyle,
  View,
} from 'react-native';
import { FactoredScrollView } from '../path.js';
import { common, fontFamily, layoutStyle, space } from './style.js';

/**
 * The 20 primitives on native views. Accessibility follows the DOM registry's semantics with
 * React Native's props: `role` and `accessibilityLabel` on every node that assistive
 * technology should announce, `accessibilityState` for disabled, busy, checked and selected,
 * and `accessibilityValue` with increment/decrement actions for the slider. Containers carry
 * a role and label but stay non-`accessible`, so their children remain reachable one by one.
 */

/** Inputs are controlled when the host binds `value`; otherwise they keep their own state. */
function useValue<T>(hostValue: T | undefined, initial: T): [T, (next: T) => void] {
  const [local, setLocal] = useState<T>(hostValue ?? initial);
  return [hostValue !== undefined ? hostValue : local, setLocal];
}

function textStyle(theme: ThemeTokens, size: keyof ThemeTokens['fontSizes']): TextStyle {
  const family = fontFamily(theme.fontFamily);
  return {
    color: theme.colors.text,
    fontSize: theme.fontSizes[size],
    ...(family ? { fontFamily: family } : {}),
  };
}

// ---- layout ------------------------------------------------------------------------------

export function Column({ props, children, theme }: SpecComponentProps): JSX.Element {
  return (
    <View
      role="group"
      style={[{ flexDirection: 'column' }, layoutStyle(theme, props)]}
      {...common(props)}
    >
      {children}
    </View>
  );
}

export function Row({ props, children, theme }: SpecComponentProps): JSX.Element {
  const wrap = bool(props.wrap) === true;
  return (
    <View
      role="group"
      style={[
        { flexDirection: 'row', flexWrap: wrap ? 'wrap' : 'nowrap' },
        layoutStyle(theme, props),
      ]}
      {...common(props)}
    >
      {children}
    </View>
  );
}

/** `stack`: the first child sets the size; later children are layered over it. */
export function Stack({ props, children, theme }: SpecComponentProps): JSX.Element {
  const [first, ...layers] = children;
  return (
    <View role="group" style={layoutStyle(theme, { align: props.align })} {...common(props)}>
      {first}
      {layers.map((layer, index) =>
        layer === null ? null : (
          // biome-ignore lint/suspicious/noArrayIndexKey: layers are positional by definition
          <View key={index} style={{ position: 'absolute', top: 0, right: 0, bottom: 0, left: 0 }}>
            {layer}
          </View>
        ),
      )}
    </View>
  );
}

export function ScrollView({ props, children }: SpecComponentProps): JSX.Element {
  const horizontal =
    oneOf(props.direction, ['vertical', 'horizontal'] as const, 'vertical') === 'horizontal';
  const maxHeight = num(props.maxHeight);
  return (
    <FactoredScrollView
      role="region"
      horizontal={horizontal}
      style={maxHeight === undefined ? undefined : { maxHeight }}
      {...common(props)}
    >
      {children}
    </FactoredScrollView>
  );
}

/** `grid`: rows of `columns` equal cells. */
export function Grid({ props, children, theme }: SpecComponentProps): JSX.Element {
  const columns = Math.max(1, Math.floor(num(props.columns) ?? 1));
  const gap = space(theme, props.gap) ?? 0;
  const cells = children.filter((child) => child !== null);
  const rows: ReactNode[][] = [];
  for (let i = 0; i < cells.length; i += columns) rows.push(cells.slice(i, i + columns));
  return (
    <View role="grid" style={{ gap }} {...common(props)}>
      {rows.map((row, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
        <View key={r} role="row" style={{ flexDirection: 'row', gap }}>
          {Array.from({ length: columns }, (_, c) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
            <View key={c} style={{ flex: 1 }}>
              {row[c] ?? null}
            </View>
          ))}
        </View>
      ))}
    </View>
  );
}

// ---- content -----------------------------------------------------------------------------

const TEXT_VARIANTS = ['body', 'title', 'heading', 'subtitle', 'caption', 'label', 'code'] as const;
const TONES = ['default', 'muted', 'success', 'warning', 'danger'] as const;

export function Text({ props, theme }: SpecComponentProps): JSX.Element {
  const variant = oneOf(props.variant, TEXT_VARIANTS, 'body');
  const tone = oneOf(props.tone, TONES, 'default');
  const heading = variant === 'title' || variant === 'heading' || variant === 'subtitle';
  const size = variant === 'code' ? 'body' : variant;
  const align = oneOf(props.align, ['start', 'center', 'end'] as const, 'start');
  const style: TextStyle = {
    ...textStyle(theme, size),
    textAlign: align === 'start' ? 'left' : align === 'end' ? 'right' : 'center',
    ...(heading ? { fontWeight: '600' } : {}),
    ...(variant === 'code' ? { fontFamily: fontFamily(theme.monoFamily) ?? 'monospace' } : {}),
    ...(tone === 'default'
      ? {}
      : { color: tone === 'muted' ? theme.colors.muted : theme.colors[tone] }),
  };
  const maxLines = num(props.maxLines);
  return (
    <NativeText
      {...(heading ? { role: 'heading' as const } : { accessibilityRole: 'text' as const })}
      style={style}
      numberOfLines={maxLines}
      {...common(props)}
    >
      {text(props.content) ?? ''}
    </NativeText>
  );
}

export function Image({ props }: SpecComponentProps): JSX.Element {
  const alt = text(props.alt) ?? '';
  const label = text(props.accessibilityLabel) ?? alt;
  const fit = oneOf(props.fit, ['cover', 'contain', 'fill'] as const, 'cover');
  return (
    <NativeImage
      source={{ uri: text(props.src) ?? '' }}
      alt={label}
      role={label ? 'img' : 'presentation'}
      accessible={label !== ''}
      accessibilityLabel={label || undefined}
      resizeMode={fit === 'fill' ? 'stretch' : fit}
      style={{ width: num(props.width), height: num(props.height) ?? num(props.width) ?? 120 }}
      testID={text(props.testId)}
    />
  );
}

/** Icons by name: a React element (e.g. from `@expo/vector-icons`) or a text glyph. */
export type NativeIconSet = Readonly<Record<string, ReactNode>>;

/** The built-in glyphs: plain Unicode, so no icon font or SVG library is needed. */
export const defaultNativeIcons: NativeIconSet = {
  check: '✓',
  close: '✕',
  plus: '+',
  minus: '−',
  'chevron-left': '‹',
  'chevron-right': '›',
  'chevron-down': '⌄',
  'chevron-up': '⌃',
  info: 'ℹ',
  warning: '⚠',
  star: '★',
  search: '⌕',
};

export function createIcon(icons: NativeIconSet) {
  // Created once per registry, never during render, so its identity is stable.
  // biome-ignore lint/correctness/noComponentHookFactories: see above
  return function Icon({ props, theme }: SpecComponentProps): JSX.Element | null {
    const name = text(props.name) ?? '';
    const glyph = Object.hasOwn(icons, name) ? icons[name] : undefined;
    if (glyph === undefined || glyph === null) return null;
    const size = num(props.size) ?? 20;
    const label = text(props.label) ?? text(props.accessibilityLabel);
    const a11y = label
      ? { role: 'img' as const, accessible: true, accessibilityLabel: label }
      : { accessible: false, importantForAccessibility: 'no-hide-descendants' as const };
    if (typeof glyph === 'string') {
      return (
        <NativeText
          {...a11y}
          style={{ fontSize: size, color: theme.colors.text }}
          testID={text(props.testId)}
        >
          {glyph}
        </NativeText>
      );
    }
    return (
      <View {...a11y} testID={text(props.testId)}>
        {glyph}
      </View>
    );
  };
}

export function Divider({ props, theme }: SpecComponentProps): JSX.Element {
  const vertical =
    oneOf(props.orientation, ['horizontal', 'vertical'] as const, 'horizontal') === 'vertical';
  return (
    <View
      role="separator"
      style={
        vertical
          ? { width: 1, alignSelf: 'stretch', backgroundColor: theme.colors.border }
          : { height: 1, alignSelf: 'stretch', backgroundColor: theme.colors.border }
      }
      {...common(props)}
    />
  );
}

export function Spacer({ props, theme }: SpecComponentProps): JSX.Element {
  const size = space(theme, props.size ?? 4);
  return (
    <View
      role="none"
      accessible={false}
      style={{ width: size, height: size }}
      testID={text(props.testId)}
    />
  );
}

// ---- inputs ------------------------------------------------------------------------------

const KEYBOARDS = {
  text: 'default',
  email: 'email-address',
  number: 'numeric',
  password: 'default',
  tel: 'phone-pad',
  url: 'url',
  search: 'default',
} as const;

function Label({ children, theme }: { children: ReactNode; theme: ThemeTokens }): JSX.Element {
  return (
    <NativeText accessible={false} importantForAccessibility="no" style={textStyle(theme, 'label')}>
      {children}
    </NativeText>
  );
}

export function TextInput({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const label = text(props.label) ?? '';
  const [value, setValue] = useValue(text(props.value), '');
  const error = text(props.error);
  const disabled = bool(props.disabled) === true;
  const type = oneOf(props.inputType, Object.keys(KEYBOARDS) as (keyof typeof KEYBOARDS)[], 'text');
  return (
    <View style={{ gap: theme.spacing }}>
      <Label theme={theme}>{label}</Label>
      <NativeTextInput
        accessibilityLabel={text(props.accessibilityLabel) ?? label}
        accessibilityHint={error}
        accessibilityState={{ disabled }}
        aria-required={bool(props.required) === true}
        editable={!disabled}
        value={value}
        placeholder={text(props.placeholder)}
        placeholderTextColor={theme.colors.muted}
        keyboardType={KEYBOARDS[type]}
        secureTextEntry={type === 'password'}
        autoCapitalize={type === 'text' ? 'sentences' : 'none'}
        onChangeText={(next) => {
          setValue(next);
          emit?.({ value: next });
        }}
        style={{
          borderWidth: 1,
          borderColor: error ? theme.colors.danger : theme.colors.border,
          borderRadius: theme.radius.sm,
          padding: theme.spacing * 2,
          color: theme.colors.text,
          backgroundColor: theme.colors.surface,
          fontSize: theme.fontSizes.body,
        }}
        testID={text(props.testId)}
      />
      {error ? (
        <NativeText
          role="alert"
          style={{ color: theme.colors.danger, fontSize: theme.fontSizes.caption }}
        >
          {error}
        </NativeText>
      ) : null}
    </View>
  );
}

const BUTTON_VARIANTS = ['primary', 'secondary', 'tertiary', 'danger', 'link'] as const;

export function Button({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const variant = oneOf(props.variant, BUTTON_VARIANTS, 'primary');
  const disabled = bool(props.disabled) === true;
  const busy = bool(props.loading) === true;
  const filled = variant === 'primary' || variant === 'danger';
  const tint = variant === 'danger' ? theme.colors.danger : theme.colors.primary;
  const label = text(props.label) ?? '';
  return (
    <Pressable
      role={variant === 'link' ? 'link' : 'button'}
      accessibilityLabel={text(props.accessibilityLabel) ?? label}
      accessibilityState={{ disabled, busy }}
      disabled={disabled}
      onPress={busy ? undefined : () => emit?.()}
      style={{
        minHeight: 44,
        justifyContent: 'center',
        alignItems: 'center',
        paddingHorizontal: theme.spacing * 4,
        borderRadius: theme.radius.md,
        backgroundColor: filled ? tint : 'transparent',
        borderWidth: variant === 'secondary' ? 1 : 0,
        borderColor: tint,
        opacity: disabled ? 0.5 : 1,
      }}
      testID={text(props.testId)}
    >
      <NativeText
        style={{ ...textStyle(theme, 'body'), color: filled ? theme.colors.onPrimary : tint }}
      >
        {label}
      </NativeText>
    </Pressable>
  );
}

export function Toggle({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const label = text(props.label) ?? '';
  const [value, setValue] = useValue(bool(props.value), false);
  const disabled = bool(props.disabled) === true;
  return (
    <View style={{ flexDirection: 'row', alignItems: 'center', gap: theme.spacing * 2 }}>
      <Label theme={theme}>{label}</Label>
      <Switch
        role="switch"
        accessibilityLabel={text(props.accessibilityLabel) ?? label}
        accessibilityState={{ disabled, checked: value }}
        disabled={disabled}
        value={value}
        trackColor={{ true: theme.colors.primary, false: theme.colors.border }}
        onValueChange={(next: boolean) => {
          setValue(next);
          emit?.({ value: next });
        }}
        testID={text(props.testId)}
      />
    </View>
  );
}

type SelectOption = { label: string; value: unknown };

function optionsOf(value: unknown): SelectOption[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((option) => {
    const label = text((option as { label?: unknown } | null)?.label);
    return label === undefined ? [] : [{ label, value: (option as { value?: unknown }).value }];
  });
}

/**
 * `select`: React Native has no built-in picker, so the choices are a radio group — every
 * option visible, one tap to choose, each announced with its checked state.
 */
export function Select({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const label = text(props.label) ?? '';
  const options = optionsOf(props.options);
  const [value, setValue] = useValue<unknown>(props.value, undefined);
  const disabled = bool(props.disabled) === true;
  return (
    <View
      role="radiogroup"
      accessibilityLabel={text(props.accessibilityLabel) ?? label}
      style={{ gap: theme.spacing }}
      testID={text(props.testId)}
    >
      <Label theme={theme}>{label}</Label>
      {options.length === 0 && text(props.placeholder) ? (
        <NativeText style={textStyle(theme, 'body')}>{text(props.placeholder)}</NativeText>
      ) : null}
      {options.map((option) => {
        const checked = Object.is(option.value, value);
        return (
          <Pressable
            key={`${option.label}:${String(option.value)}`}
            role="radio"
            accessibilityLabel={option.label}
            accessibilityState={{ checked, disabled }}
            disabled={disabled}
            onPress={() => {
              setValue(option.value);
              emit?.({ value: option.value });
            }}
            style={{
              flexDirection: 'row',
              alignItems: 'center',
              gap: theme.spacing * 2,
              minHeight: 44,
            }}
          >
            <View
              style={{
                width: 20,
                height: 20,
                borderRadius: 10,
                borderWidth: checked ? 6 : 1,
                borderColor: checked ? theme.colors.primary : theme.colors.border,
              }}
            />
            <NativeText style={textStyle(theme, 'body')}>{option.label}</NativeText>
          </Pressable>
        );
      })}
    </View>
  );
}

const STEP_DOWN = '−';
const STEP_UP = '+';

/**
 * `slider`: React Native's core has no slider (it moved to a community package), so this is
 * an adjustable control: − and + buttons, and for screen readers `role="slider"` with
 * `accessibilityValue` and the increment/decrement actions (swipe up/down on VoiceOver).
 */
export function Slider({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const label = text(props.label) ?? '';
  const min = num(props.min) ?? 0;
  const max = Math.max(min, num(props.max) ?? 100);
  const step = num(props.step) && (num(props.step) ?? 0) > 0 ? (num(props.step) as number) : 1;
  const [value, setValue] = useValue(num(props.value), min);
  const disabled = bool(props.disabled) === true;
  const change = (direction: 1 | -1) => {
    if (disabled) return;
    const next = Math.min(max, Math.max(min, value + direction * step));
    if (next === value) return;
    setValue(next);
    emit?.({ value: next });
  };
  const buttonStyle = {
    width: 44,
    height: 44,
    alignItems: 'center',
    justifyContent: 'center',
    borderRadius: theme.radius.md,
    borderWidth: 1,
    borderColor: theme.colors.border,
  } as const;
  return (
    <View style={{ gap: theme.spacing }}>
      <Label theme={theme}>{label}</Label>
      <View
        role="slider"
        accessible
        accessibilityLabel={text(props.accessibilityLabel) ?? label}
        accessibilityState={{ disabled }}
        accessibilityValue={{ min, max, now: value }}
        accessibilityActions={[{ name: 'increment' }, { name: 'decrement' }]}
        onAccessibilityAction={(event) =>
          change(event.nativeEvent.actionName === 'increment' ? 1 : -1)
        }
        style={{ flexDirection: 'row', alignItems: 'center', gap: theme.spacing * 2 }}
        testID={text(props.testId)}
      >
        <Pressable accessible={false} onPress={() => change(-1)} style={buttonStyle}>
          <NativeText style={textStyle(theme, 'body')}>{STEP_DOWN}</NativeText>
        </Pressable>
        <NativeText style={textStyle(theme, 'body')}>{String(value)}</NativeText>
        <Pressable accessible={false} onPress={() => change(1)} style={buttonStyle}>
          <NativeText style={textStyle(theme, 'body')}>{STEP_UP}</NativeText>
        </Pressable>
      </View>
    </View>
  );
}

// ---- composite ---------------------------------------------------------------------------

/** `card`: a surface named by its title; with an action, the whole card is one button. */
export function Card({ props, children, emit, theme }: SpecComponentProps): JSX.Element {
  const title = text(props.title);
  const subtitle = text(props.subtitle);
  const label = text(props.accessibilityLabel) ?? title ?? subtitle;
  const style = {
    padding: space(theme, props.padding ?? 4),
    gap: theme.spacing * 2,
    borderRadius: theme.radius.md,
    borderWidth: 1,
    borderColor: theme.colors.border,
    backgroundColor: theme.colors.surface,
  };
  const content = (
    <>
      {title ? (
        <NativeText role="heading" style={{ ...textStyle(theme, 'subtitle'), fontWeight: '600' }}>
          {title}
        </NativeText>
      ) : null}
      {subtitle ? (
        <NativeText style={{ ...textStyle(theme, 'label'), color: theme.colors.muted }}>
          {subtitle}
        </NativeText>
      ) : null}
      {children}
    </>
  );
  if (emit) {
    return (
      <Pressable
        role="button"
        accessibilityLabel={label}
        onPress={() => emit()}
        style={style}
        testID={text(props.testId)}
      >
        {content}
      </Pressable>
    );
  }
  return (
    <View role="group" accessibilityLabel={label} style={style} testID={text(props.testId)}>
      {content}
    </View>
  );
}

export function List({ props, children, theme }: SpecComponentProps): JSX.Element {
  const items = children.filter((child) => child !== null);
  const emptyText = text(props.emptyText);
  return (
    <View role="list" style={{ gap: space(theme, props.gap) ?? 0 }} {...common(props)}>
      {items.length === 0 && emptyText ? (
        <NativeText style={{ ...textStyle(theme, 'body'), color: theme.colors.muted }}>
          {emptyText}
        </NativeText>
      ) : (
        Children.map(items, (item) => <View role="listitem">{item}</View>)
      )}
    </View>
  );
}

/** `tabs`: a tab bar (`tablist` of `tab`s with their selected state) and the selected panel. */
export function Tabs({ props, children, emit, theme }: SpecComponentProps): JSX.Element {
  const labels = Array.isArray(props.labels) ? props.labels.map((label) => text(label) ?? '') : [];
  const [selected, setSelected] = useValue(num(props.selected), 0);
  const index = Math.min(Math.max(0, Math.floor(selected)), Math.max(0, labels.length - 1));
  return (
    <View style={{ gap: theme.spacing * 2 }} {...common(props)}>
      <View role="tablist" style={{ flexDirection: 'row', gap: theme.spacing * 2 }}>
        {labels.map((label, i) => (
          <Pressable
            // biome-ignore lint/suspicious/noArrayIndexKey: tab i is panel i
            key={i}
            role="tab"
            accessibilityLabel={label}
            accessibilityState={{ selected: i === index }}
            onPress={() => {
              setSelected(i);
              emit?.({ value: i });
            }}
            style={{
              paddingVertical: theme.spacing * 2,
              borderBottomWidth: 2,
              borderBottomColor: i === index ? theme.colors.primary : 'transparent',
            }}
          >
            <NativeText style={textStyle(theme, 'label')}>{label}</NativeText>
          </Pressable>
        ))}
      </View>
      <View role="tabpanel" accessibilityLabel={labels[index]}>
        {children[index] ?? null}
      </View>
    </View>
  );
}

/**
 * `modal`: React Native's `Modal`; the system back gesture, the back button and the close
 * button emit the node's action (the host closes it by setting `open` to false).
 */
export function createModal(closeLabel: string, closeIcon: ReactNode) {
  // biome-ignore lint/correctness/noComponentHookFactories: created once per registry
  return function Modal({ props, children, emit, theme }: SpecComponentProps): JSX.Element {
    const title = text(props.title) ?? '';
    const open = bool(props.open) === true;
    return (
      <NativeModal visible={open} transparent animationType="fade" onRequestClose={() => emit?.()}>
        <View
          style={{
            flex: 1,
            justifyContent: 'center',
            padding: theme.spacing * 4,
            backgroundColor: theme.colors.backdrop,
          }}
        >
          <View
            role="dialog"
            aria-modal
            accessibilityViewIsModal
            accessibilityLabel={text(props.accessibilityLabel) ?? title}
            style={{
              gap: theme.spacing * 3,
              padding: theme.spacing * 4,
              borderRadius: theme.radius.lg,
              backgroundColor: theme.colors.surface,
            }}
            testID={text(props.testId)}
          >
            <View
              style={{
                flexDirection: 'row',
                alignItems: 'center',
                justifyContent: 'space-between',
              }}
            >
              <NativeText
                role="heading"
                style={{ ...textStyle(theme, 'heading'), fontWeight: '600' }}
              >
                {title}
              </NativeText>
              <Pressable
                role="button"
                accessibilityLabel={closeLabel}
                onPress={() => emit?.()}
                style={{
                  minWidth: 44,
                  minHeight: 44,
                  alignItems: 'center',
                  justifyContent: 'center',
                }}
              >
                {typeof closeIcon === 'string' ? (
                  <NativeText style={textStyle(theme, 'heading')}>{closeIcon}</NativeText>
                ) : (
                  closeIcon
                )}
              </Pressable>
            </View>
            {children}
          </View>
        </View>
      </NativeModal>
    );
  };
}

const CHIP_TONES = ['default', 'info', 'success', 'warning', 'danger'] as const;

export function Chip({ props, emit, theme }: SpecComponentProps): JSX.Element {
  const label = text(props.label) ?? '';
  const tone = oneOf(props.tone, CHIP_TONES, 'default');
  const selected = bool(props.selected);
  const color = tone === 'default' ? theme.colors.text : theme.colors[tone];
  const style = {
    alignSelf: 'flex-start' as const,
    paddingHorizontal: theme.spacing * 3,
    paddingVertical: theme.spacing,
    minHeight: emit ? 44 : undefined,
    justifyContent: 'center' as const,
    borderRadius: 999,
    borderWidth: 1,
    borderColor: selected ? theme.colors.primary : theme.colors.border,
    backgroundColor: selected ? theme.colors.primary : theme.colors.surface,
  };
  const content = (
    <NativeText
      style={{ ...textStyle(theme, 'label'), color: selected ? theme.colors.onPrimary : color }}
    >
      {label}
    </NativeText>
  );
  const accessibilityLabel = text(props.accessibilityLabel) ?? label;
  if (emit) {
    return (
      <Pressable
        role="button"
        accessibilityLabel={accessibilityLabel}
        accessibilityState={selected === undefined ? {} : { selected }}
        onPress={() => emit()}
        style={style}
        testID={text(props.testId)}
      >
        {content}
      </Pressable>
    );
  }
  return (
    <View
      accessible
      accessibilityRole="text"
      accessibilityLabel={accessibilityLabel}
      accessibilityState={selected === undefined ? {} : { selected }}
      style={style}
      testID={text(props.testId)}
    >
      {content}
    </View>
  );
}
