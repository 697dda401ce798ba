import type { JsonObject } from '@factoredui/core';
import {
  type PathLevel,
  PathScopeProvider,
  useOptionalCapture,
  usePathScope,
} from '@factoredui/react';
import {
  type ComponentRef,
  type JSX,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import {
  type GestureResponderEvent,
  type LayoutChangeEvent,
  ScrollView,
  type ScrollViewProps,
  View,
  type ViewProps,
} from 'react-native';
import { createVisibilityHub, NativeAdapterContext, VisibilityContext } from './context.js';
import { intersectsWindow } from './visibility.js';

/** Props of the native {@link Flow}, {@link Page}, {@link Component} and {@link Element}. */
export interface NativePathProps extends ViewProps {
  /** This level's segment: non-empty, without `/`. */
  name: string;
  /** The content this path level names. */
  children?: ReactNode;
  /**
   * Record one `impression` for this path the first time its view is on screen after mounting
   * (default `true`). Pass an object to add it to the impression payload.
   */
  impression?: boolean | JsonObject;
}

/** Touches already attributed to an inner path component (touch events bubble). */
const attributed = new WeakSet<object>();

function useNativePathLevel(level: PathLevel, props: NativePathProps): JSX.Element {
  const { name, children, impression = true, onLayout, onTouchStart, onTouchEnd, ...view } = props;
  const scope = usePathScope(level, name);
  const { path } = scope;
  const capture = useOptionalCapture();
  const adapter = useContext(NativeAdapterContext);
  const hub = useContext(VisibilityContext);
  const ref = useRef<ComponentRef<typeof View>>(null);
  const seen = useRef<string | null>(null);
  const touchStart = useRef<{ x: number; y: number } | null>(null);
  const enabled = impression !== false && capture !== null;
  // Compared by value, so an inline payload object does not re-run the effect.
  const extraKey = typeof impression === 'object' ? JSON.stringify(impression) : '';

  const check = useCallback(() => {
    const node = ref.current;
    if (!enabled || !capture || !node || seen.current === path) return;
    node.measureInWindow((x, y, width, height) => {
      if (seen.current === path || !intersectsWindow(x, y, width, height)) return;
      seen.current = path;
      capture.trackImpression(path, extraKey ? (JSON.parse(extraKey) as JsonObject) : undefined);
    });
  }, [enabled, capture, path, extraKey]);

  useEffect(() => {
    if (!enabled) return;
    check();
    return hub.subscribe(check);
  }, [enabled, check, hub]);

  const handleLayout = (event: LayoutChangeEvent) => {
    check();
    onLayout?.(event);
  };
  const handleTouchStart = (event: GestureResponderEvent) => {
    const { pageX, pageY } = event.nativeEvent ?? {};
    touchStart.current =
      typeof pageX === 'number' && typeof pageY === 'number' ? { x: pageX, y: pageY } : null;
    onTouchStart?.(event);
  };
  const handleTouchEnd = (event: GestureResponderEvent) => {
    const native = event.nativeEvent as GestureResponderEvent['nativeEvent'] | undefined;
    const start = touchStart.current;
    touchStart.current = null;
    if (adapter && native && typeof native === 'object' && !attributed.has(native)) {
      attributed.add(native);
      const { pageX: x, pageY: y } = native;
      const moved = start ? Math.hypot(x - start.x, y - start.y) : 0;
      if (moved <= adapter.tapSlop) adapter.touch({ path, x, y });
    }
    onTouchEnd?.(event);
  };

  return (
    <PathScopeProvider scope={scope}>
      <View
        {...view}
        ref={ref}
        collapsable={false}
        onLayout={handleLayout}
        onTouchStart={handleTouchStart}
        onTouchEnd={handleTouchEnd}
      >
        {children}
      </View>
    </PathScopeProvider>
  );
}

/** The outermost path level: a user journey such as `checkout`. Renders a `View`. */
export function Flow(props: NativePathProps): JSX.Element {
  return useNativePathLevel('flow', props);
}

/** A screen within a flow, such as `review`. Renders a `View`. */
export function Page(props: NativePathProps): JSX.Element {
  return useNativePathLevel('page', props);
}

/** A component on a screen, such as `payment-form`. Renders a `View`. */
export function Component(props: NativePathProps): JSX.Element {
  return useNativePathLevel('component', props);
}

/** An interactive element of a component, such as `submit`. Renders a `View`. */
export function Element(props: NativePathProps): JSX.Element {
  return useNativePathLevel('element', props);
}

/**
 * A `ScrollView` that tells the path components inside it to look again when it scrolls, so
 * content scrolled into view records its impression. Use it (or call `notify` yourself) for
 * scrolling containers of instrumented content; a plain `ScrollView` works, but impressions
 * of content below the fold then wait for the next layout.
 */
export function FactoredScrollView(props: ScrollViewProps): JSX.Element {
  const parent = useContext(VisibilityContext);
  const [hub] = useState(createVisibilityHub);
  // What moves the parent (an outer scroll, a rotation) moves this content too.
  useEffect(() => parent.subscribe(hub.notify), [parent, hub]);
  const { onScroll, onMomentumScrollEnd, scrollEventThrottle = 100, ...rest } = props;
  return (
    <VisibilityContext.Provider value={hub}>
      <ScrollView
        {...rest}
        scrollEventThrottle={scrollEventThrottle}
        onScroll={(event) => {
          hub.notify();
          onScroll?.(event);
        }}
        onMomentumScrollEnd={(event) => {
          hub.notify();
          onMomentumScrollEnd?.(event);
        }}
      />
    </VisibilityContext.Provider>
  );
}
