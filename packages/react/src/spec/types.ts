import type {
  ActionDispatchResult,
  ActionHandlers,
  BindingScope,
  FactoredError,
  SpecNode,
} from '@factoredui/core';
import type { ComponentType, JSX, ReactNode } from 'react';
import type { ThemeTokens } from './theme.js';

/** What a registry component receives for one spec node (DOM and native alike). */
export interface SpecComponentProps {
  /** The node as written in the spec (unresolved). */
  node: SpecNode;
  /**
   * The node's props with every binding resolved against the scope. Values come from a server
   * and from host data: components must coerce them (a number may arrive as a string).
   */
  props: Readonly<Record<string, unknown>>;
  /**
   * Rendered children: one entry per child node for containers (`null` for a hidden child, so
   * index i is always `children[i]` of the spec; tabs rely on it), one per data item for a
   * list, empty for leaves.
   */
  children: ReactNode[];
  /**
   * Emits the node's action through the host's handlers, with `payload` in scope as
   * `{event.*}` (inputs pass `{ value }`). `undefined` when the node has no action.
   */
  emit: ((payload?: Readonly<Record<string, unknown>>) => void) | undefined;
  /** The registry's resolved theme tokens. */
  theme: ThemeTokens;
}

/** A component of a registry: renders one node type. */
export type SpecComponent = (props: SpecComponentProps) => JSX.Element | null;

/** What every registry has: a component per node type and the resolved theme. */
export interface SpecRegistry {
  /** The component of each node type. */
  readonly components: Readonly<Record<string, SpecComponent>>;
  /** The resolved theme tokens. */
  readonly theme: ThemeTokens;
}

/** Something that went wrong while rendering a spec, reported to `onError`. */
export interface SpecRenderIssue {
  /**
   * - `render_failed`: the node's component (or a descendant without its own boundary) threw;
   *   the node renders its fallback, the rest of the tree is intact.
   * - `unknown_type`: the registry has no component for the node's type; the node is
   *   skipped. Reported once per type and mounted tree.
   * - `action_failed`: the node's action was unknown, malformed, or its handler failed.
   */
  kind: 'render_failed' | 'unknown_type' | 'action_failed';
  /** The node's id (`?` when the node has none). */
  nodeId: string;
  /** The node's type as written. */
  nodeType: string;
  /** A FactoredError with a stable code; the original error is its `cause`. */
  error: FactoredError;
  /** The dispatch result, for `action_failed`. */
  action?: Exclude<ActionDispatchResult, { status: 'handled' }>;
}

/** How a spec renders, on every platform: actions, data and error reporting. */
export interface SpecRenderOptions {
  /** Handlers of the spec's named actions, e.g. `{ 'cart.add': ({ sku }) => ... }`. */
  actions?: ActionHandlers;
  /** Data bindings resolve against: host state and data source results (`useSourceData`). */
  scope?: BindingScope;
  /** Called for every render failure, unknown type and failed action. */
  onError?: (issue: SpecRenderIssue) => void;
  /**
   * What a failing node renders instead. Default: an empty, invisible placeholder (end users
   * see nothing broken; the host hears about it through `onError`).
   */
  renderFallback?: (issue: SpecRenderIssue) => ReactNode;
  /**
   * Record an impression when each node first becomes visible, like hand-written path
   * components do (default `true`). Inside a `FactoredProvider` only.
   */
  impressions?: boolean;
}

/** Props of a platform's path wrapper (its `Component` or `Element`). */
export interface SpecPathProps {
  /** The node id: the path segment. */
  name: string;
  /** Whether to record an impression when first visible. */
  impression: boolean;
  children?: ReactNode;
}

/**
 * What a platform gives the shared renderer: the path wrappers of containers and leaves (so
 * spec-rendered UI is captured like hand-written UI) and the placeholder of a failed node.
 */
export interface SpecHost {
  /** Wraps container nodes (children or an item template): the platform's `Component`. */
  Container: ComponentType<SpecPathProps>;
  /** Wraps leaf nodes: the platform's `Element`. */
  Leaf: ComponentType<SpecPathProps>;
  /** Rendered for a failed node without a `renderFallback` (and while its issue is pending). */
  failed(nodeId: string): ReactNode;
}
