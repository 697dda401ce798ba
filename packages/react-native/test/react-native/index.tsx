/**
 * The `react-native` module of this package's tests (the vitest project `react-native` aliases
 * `react-native` here). The real module cannot load under Node: it is Flow-typed source that
 * needs Metro's Babel preset and talks to native modules through the JSI bridge; its own Jest
 * preset replaces those with mocks in the same way.
 *
 * Host components carry the names React Native's renderer gives them (`View`, `Text`,
 * `TextInput`, `RCTSwitch`, `RCTScrollView`, `Image`, `Modal`), so `@testing-library/react-native`
 * (on `test-renderer`) queries them by role, label and text as it does on a device. The
 * lifecycle APIs (`AppState`, `Dimensions`, `ErrorUtils`) are driven by the test helpers at the
 * bottom.
 */
import {
  createElement,
  forwardRef,
  type ReactNode,
  type Ref,
  useImperativeHandle,
  useRef,
} from 'react';

type Props = Record<string, unknown> & { children?: ReactNode };
type Layout = { x: number; y: number; width: number; height: number };

/** What a host view's ref exposes: `measureInWindow` answers with the last `layout` event. */
export interface HostHandle {
  measureInWindow(callback: (x: number, y: number, width: number, height: number) => void): void;
}

/** Window positions set by tests (`__placeInWindow`), by testID; win over the last layout. */
const placed = new Map<string, Layout>();

// Called once per host name, at module level (never during a render).
function host(name: string, defaults: Props = {}) {
  // biome-ignore lint/correctness/noComponentHookFactories: one component per host name, made once at module level
  const Host = forwardRef(function Host(props: Props, ref: Ref<HostHandle>) {
    const layout = useRef<Layout | null>(null);
    useImperativeHandle(ref, () => ({
      measureInWindow(callback) {
        const box = placed.get(props.testID as string) ?? layout.current;
        callback(box?.x ?? 0, box?.y ?? 0, box?.width ?? 0, box?.height ?? 0);
      },
    }));
    const onLayout = props.onLayout as ((event: unknown) => void) | undefined;
    return createElement(name, {
      ...defaults,
      ...props,
      onLayout: (event: { nativeEvent?: { layout?: Layout } }) => {
        layout.current = event?.nativeEvent?.layout ?? null;
        onLayout?.(event);
      },
    });
  });
  Host.displayName = name;
  return Host;
}

export const View = host('View');
export const Text = host('Text');
export const TextInput = host('TextInput');
export const Image = host('Image');
export const ScrollView = host('RCTScrollView');
/** Switch: the host `RCTSwitch`; `fireEvent(el, 'valueChange', true)` calls `onValueChange`. */
export const Switch = host('RCTSwitch', { accessibilityRole: 'switch' });

/** React Native's Modal renders nothing while `visible` is false. */
export function Modal(props: Props) {
  if (props.visible === false) return null;
  return createElement('Modal', props);
}

/** Pressable: an accessible `View` that calls `onPress` (React Native sets `accessible`). */
export const Pressable = forwardRef(function Pressable(props: Props, ref: Ref<HostHandle>) {
  const { children, style, disabled, ...rest } = props;
  const pressed = false;
  return createElement(
    View,
    {
      accessible: true,
      ...rest,
      ref,
      accessibilityState: { ...(rest.accessibilityState as object), disabled: disabled === true },
      onPress: disabled === true ? undefined : rest.onPress,
      style:
        typeof style === 'function' ? (style as (state: object) => unknown)({ pressed }) : style,
    },
    typeof children === 'function'
      ? (children as (state: object) => ReactNode)({ pressed })
      : children,
  );
});

export const StyleSheet = {
  create: <T,>(styles: T): T => styles,
  flatten(style: unknown): Record<string, unknown> {
    if (Array.isArray(style)) return Object.assign({}, ...style.map(StyleSheet.flatten));
    return style && typeof style === 'object' ? (style as Record<string, unknown>) : {};
  },
  hairlineWidth: 1,
};

// ---- platform and lifecycle ----------------------------------------------------------------

export const Platform = {
  OS: 'ios' as 'ios' | 'android',
  Version: '17.4',
  isPad: false,
  select: <T,>(choices: { ios?: T; android?: T; default?: T }): T | undefined =>
    choices.ios ?? choices.default,
};

type Listener<T> = (value: T) => void;

function emitter<T>() {
  const listeners = new Set<Listener<T>>();
  return {
    listeners,
    add(listener: Listener<T>) {
      listeners.add(listener);
      return { remove: () => void listeners.delete(listener) };
    },
    emit(value: T) {
      for (const listener of [...listeners]) listener(value);
    },
  };
}

const appStateChanges = emitter<string>();
export const AppState = {
  currentState: 'active' as string,
  addEventListener(type: string, listener: Listener<string>) {
    if (type !== 'change') return { remove() {} };
    return appStateChanges.add(listener);
  },
};

let windowSize = { width: 390, height: 844, scale: 3, fontScale: 1 };
const dimensionChanges = emitter<unknown>();
export const Dimensions = {
  get: (_: 'window' | 'screen') => windowSize,
  addEventListener(type: string, listener: Listener<unknown>) {
    if (type !== 'change') return { remove() {} };
    return dimensionChanges.add(listener);
  },
};

// ---- test helpers (not part of React Native) ------------------------------------------------

/** Moves the app to `state` and tells every `AppState` listener, as the OS does. */
export function __setAppState(state: 'active' | 'background' | 'inactive'): void {
  AppState.currentState = state;
  appStateChanges.emit(state);
}

/** Listeners currently registered on AppState and Dimensions (leak checks). */
export function __listenerCounts(): { appState: number; dimensions: number } {
  return { appState: appStateChanges.listeners.size, dimensions: dimensionChanges.listeners.size };
}

/** Changes the window size and tells `Dimensions` listeners (a rotation). */
export function __setWindow(size: { width: number; height: number }): void {
  windowSize = { ...windowSize, ...size };
  dimensionChanges.emit({ window: windowSize, screen: windowSize });
}

type Handler = (error: unknown, isFatal?: boolean) => void;

/** React Native's `ErrorUtils` global; the default handler records what reached it. */
export function __installErrorUtils(): { reached: { error: unknown; isFatal?: boolean }[] } {
  const reached: { error: unknown; isFatal?: boolean }[] = [];
  let handler: Handler = (error, isFatal) => {
    reached.push({ error, ...(isFatal === undefined ? {} : { isFatal }) });
  };
  (globalThis as { ErrorUtils?: unknown }).ErrorUtils = {
    getGlobalHandler: () => handler,
    setGlobalHandler: (next: Handler) => {
      handler = next;
    },
  };
  return { reached };
}

/** Throws `error` into the global handler, as React Native does for an uncaught error. */
export function __reportUncaught(error: unknown, isFatal = false): void {
  const utils = (globalThis as { ErrorUtils?: { getGlobalHandler(): Handler } }).ErrorUtils;
  utils?.getGlobalHandler()(error, isFatal);
}

/**
 * Where `measureInWindow` says the view with `testID` is from now on (what scrolling or an
 * animation does to a view without a new layout event); `null` forgets it.
 */
export function __placeInWindow(testID: string, box: Layout | null): void {
  if (box) placed.set(testID, box);
  else placed.delete(testID);
}
