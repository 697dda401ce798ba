import {
  type ComponentPath,
  componentPathProblem,
  FactoredError,
  type JsonObject,
} from '@factoredui/core';
import {
  createContext,
  createElement,
  type JSX,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
} from 'react';
import { useCaptureBridge } from './context.js';
import { observeFirstVisible, structureOf } from './visibility.js';

/** The four levels of a component path, outermost first. */
export const PATH_LEVELS = ['flow', 'page', 'component', 'element'] as const;

/** One of {@link PATH_LEVELS}. */
export type PathLevel = (typeof PATH_LEVELS)[number];

/** The nearest name of each level, as the `data-factored-*` attributes resolve in the DOM. */
type PathSegments = Readonly<Partial<Record<PathLevel, string>>>;

const PathContext = createContext<PathSegments>({});

/** Joins the present segments in level order: `flow/page/component/element`. */
function joinPath(segments: PathSegments): ComponentPath | null {
  const parts = PATH_LEVELS.flatMap((level) => (segments[level] ? [segments[level]] : []));
  return parts.length > 0 ? parts.join('/') : null;
}

/**
 * The component path at this point of the tree (for example `checkout/review/payment-form`),
 * or `null` outside any {@link Flow}, {@link Page}, {@link Component} or {@link Element}.
 */
export function useComponentPath(): ComponentPath | null {
  return joinPath(useContext(PathContext));
}

/** Props shared by {@link Flow}, {@link Page}, {@link Component} and {@link Element}. */
export interface PathProps {
  /** This level's segment: non-empty, without `/`. */
  name: string;
  /** The content this path level names. */
  children?: ReactNode;
  /**
   * Record one `impression` for this path the first time it becomes visible after mounting
   * (default `true`). Pass an object to add it to the impression payload.
   */
  impression?: boolean | JsonObject;
  /**
   * The wrapper tag (default `div`; use `span` inside phrasing content such as `<p>`). The
   * wrapper has `display: contents`, so it never affects layout.
   */
  as?: keyof JSX.IntrinsicElements;
}

const CONTENTS = { display: 'contents' } as const;

const tag = (level: PathLevel) => `${level[0]!.toUpperCase()}${level.slice(1)}`;

/**
 * One level of the path context, as {@link usePathScope} computes it: the full path at this
 * level and what {@link PathScopeProvider} hands to the levels below.
 */
export interface PathScope {
  /** The component path at this level, e.g. `checkout/review/payment-form`. */
  readonly path: ComponentPath;
  /** The segment of each level (opaque: pass it to {@link PathScopeProvider}). */
  readonly segments: PathSegments;
}

/**
 * The path scope of a level named `name` under the current path context, for platform
 * bindings that render their own wrappers (`@factoredui/react-native`'s native path components
 * use it, so native and DOM paths follow one rule). Throws `invalid_input` for a bad name.
 * Render the children inside {@link PathScopeProvider} with the result.
 */
export function usePathScope(level: PathLevel, name: string): PathScope {
  if (typeof name !== 'string' || name.trim() === '' || name.includes('/')) {
    throw new FactoredError(
      'invalid_input',
      `<${tag(level)} name=${JSON.stringify(name)}>: a path segment must be a non-empty string without "/".`,
    );
  }
  const parent = useContext(PathContext);
  const segment = name.trim();
  // Same rule as `resolveComponentPath` on the DOM, so context and capture always agree: a
  // level keeps only the outer levels of its parent (a Page inside a Component drops the
  // component; an Element inside an Element replaces it).
  return useMemo(() => {
    const next: Partial<Record<PathLevel, string>> = {};
    for (const outer of PATH_LEVELS) {
      if (outer === level) break;
      if (parent[outer]) next[outer] = parent[outer];
    }
    next[level] = segment;
    const path = joinPath(next)!;
    const problem = componentPathProblem(path);
    if (problem) throw new FactoredError('invalid_input', `<${tag(level)}>: ${problem}.`);
    return { path, segments: next };
  }, [parent, level, segment]);
}

/** Provides a {@link PathScope} (from {@link usePathScope}) to the tree below. */
export function PathScopeProvider(props: { scope: PathScope; children?: ReactNode }): JSX.Element {
  return createElement(PathContext.Provider, { value: props.scope.segments }, props.children);
}

function usePathLevel(level: PathLevel, props: PathProps): JSX.Element {
  const { name, children, impression = true, as = 'div' } = props;
  const { path, segments } = usePathScope(level, name);
  const segment = segments[level]!;
  const capture = useCaptureBridge();
  const ref = useRef<HTMLElement | null>(null);
  const seen = useRef<string | null>(null);
  const enabled = impression !== false;
  // Compared by value, so an inline payload object does not re-run the effect.
  const extraKey = typeof impression === 'object' ? JSON.stringify(impression) : '';

  useEffect(() => {
    const wrapper = ref.current;
    // One impression per mount and path; the ref survives StrictMode's effect replay.
    if (!enabled || !wrapper || !capture || seen.current === path) return;
    return observeFirstVisible(wrapper, () => {
      seen.current = path;
      const payload: JsonObject = {
        ...structureOf(wrapper),
        ...(extraKey ? JSON.parse(extraKey) : {}),
      };
      capture.trackImpression(path, payload);
    });
  }, [capture, path, extraKey, enabled]);

  return createElement(
    PathContext.Provider,
    { value: segments },
    createElement(as, { ref, style: CONTENTS, [`data-factored-${level}`]: segment }, children),
  );
}

/** The outermost path level: a user journey such as `checkout`. */
export function Flow(props: PathProps): JSX.Element {
  return usePathLevel('flow', props);
}

/** A screen within a flow, such as `review`. */
export function Page(props: PathProps): JSX.Element {
  return usePathLevel('page', props);
}

/** A component on a page, such as `payment-form`. */
export function Component(props: PathProps): JSX.Element {
  return usePathLevel('component', props);
}

/** An interactive element of a component, such as `submit`. */
export function Element(props: PathProps): JSX.Element {
  return usePathLevel('element', props);
}
