import {
  type BindingScope,
  createItemScope,
  dispatchAction,
  FactoredError,
  NODE_TYPE_DEFINITIONS,
  resolveBinding,
  resolveProps,
  resolveVisibility,
  type Spec,
  type SpecNode,
} from '@factoredui/core';
import { Component as PathComponent, Element as PathElement } from '@factoredui/react';
import {
  Component,
  createContext,
  type ErrorInfo,
  type JSX,
  type ReactNode,
  useContext,
  useEffect,
  useInsertionEffect,
  useMemo,
  useRef,
} from 'react';
import { createComponentRegistry } from './registry.js';
import { injectStylesheet } from './styles.js';
import type { ComponentRegistry, RenderContext, SpecRenderIssue } from './types.js';

/** What every node of one mounted tree shares. */
interface TreeContext {
  registry: ComponentRegistry;
  context: RenderContext;
  /** Unknown types already reported in this tree. */
  reported: Set<string>;
}

const TreeContext = createContext<TreeContext | null>(null);

let defaultRegistry: ComponentRegistry | null = null;
function registryOf(context: RenderContext): ComponentRegistry {
  if (context.registry) return context.registry;
  if (!defaultRegistry) defaultRegistry = createComponentRegistry();
  return defaultRegistry;
}

const idOf = (node: SpecNode) => (typeof node?.id === 'string' && node.id ? node.id : '?');
const typeOf = (node: SpecNode) => String((node as { type?: unknown })?.type);

function report(context: RenderContext, issue: SpecRenderIssue): void {
  try {
    context.onError?.(issue);
  } catch {
    // A failing reporter must not turn a reported problem into a crash.
  }
}

/** Containers (children or an item template) get a path Component; leaves an Element. */
function isContainer(type: string): boolean {
  const definition = (NODE_TYPE_DEFINITIONS as Record<string, { children: string } | undefined>)[
    type
  ];
  return definition !== undefined && definition.children !== 'none';
}

interface NodeProps {
  node: SpecNode;
  scope: BindingScope;
}

interface BoundaryState {
  issue: SpecRenderIssue | null;
}

/**
 * Isolates one node: a throw inside renders the fallback for this node only and is reported
 * once. It retries when the node or its scope changes (new spec, new data).
 */
class NodeBoundary extends Component<NodeProps & { tree: TreeContext }, BoundaryState> {
  override state: BoundaryState = { issue: null };

  static getDerivedStateFromError(): Partial<BoundaryState> {
    // The issue is filled in by componentDidCatch; a placeholder keeps the fallback up.
    return { issue: PENDING };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    const { node, tree } = this.props;
    const issue: SpecRenderIssue = {
      kind: 'render_failed',
      nodeId: idOf(node),
      nodeType: typeOf(node),
      error: new FactoredError(
        'internal',
        `Spec node "${idOf(node)}" (${typeOf(node)}) failed to render: ${
          error instanceof Error ? error.message : String(error)
        }. It shows its fallback; fix the component or the node's props.`,
        { cause: error, details: { componentStack: info.componentStack ?? null } },
      ),
    };
    this.setState({ issue });
    report(tree.context, issue);
  }

  override componentDidUpdate(previous: NodeProps): void {
    if (
      this.state.issue &&
      (previous.node !== this.props.node || previous.scope !== this.props.scope)
    )
      this.setState({ issue: null });
  }

  override render(): ReactNode {
    const { issue } = this.state;
    if (!issue) return <NodeView node={this.props.node} scope={this.props.scope} />;
    const { renderFallback } = this.props.tree.context;
    if (renderFallback && issue !== PENDING) return renderFallback(issue);
    return <span hidden data-fui-failed={idOf(this.props.node)} />;
  }
}

const PENDING: SpecRenderIssue = {
  kind: 'render_failed',
  nodeId: '?',
  nodeType: '?',
  error: new FactoredError('internal', 'pending'),
};

/** Reports an unknown node type once per tree, after commit, and renders nothing. */
function UnknownNode({ node }: { node: SpecNode }): null {
  const tree = useContext(TreeContext)!;
  const type = typeOf(node);
  useEffect(() => {
    if (tree.reported.has(type)) return;
    tree.reported.add(type);
    report(tree.context, {
      kind: 'unknown_type',
      nodeId: idOf(node),
      nodeType: type,
      error: new FactoredError(
        'invalid_input',
        `Spec node "${idOf(node)}" has type "${type}", which this registry does not render; it is skipped. Validate specs with validateSpec before publishing, or add the type to the registry.`,
        { details: { nodeId: idOf(node), type } },
      ),
    });
  }, [tree, type, node]);
  return null;
}

/** Stable React keys for list items: the `itemKey` field when present and unique, else the index. */
function itemKeys(items: readonly unknown[], itemKey: unknown): string[] {
  const seen = new Set<string>();
  return items.map((item, index) => {
    let key: string = `#${index}`;
    if (typeof itemKey === 'string' && itemKey) {
      const value = resolveBinding(itemKey, item as BindingScope);
      if (typeof value === 'string' || typeof value === 'number') key = `k:${value}`;
    }
    if (seen.has(key)) key = `${key}#${index}`;
    seen.add(key);
    return key;
  });
}

function renderChildren(node: SpecNode, scope: BindingScope, tree: TreeContext): ReactNode[] {
  if (node.type === 'list') {
    const data = resolveBinding(String(node.props?.data ?? ''), scope);
    const template = (node as { itemTemplate?: SpecNode }).itemTemplate;
    if (!Array.isArray(data) || !template) return [];
    const keys = itemKeys(data, node.props?.itemKey);
    return data.map((item, index) => (
      <NodeBoundary
        key={keys[index]}
        node={template}
        scope={createItemScope(scope, item, index)}
        tree={tree}
      />
    ));
  }
  const children = (node as { children?: SpecNode[] }).children;
  if (!Array.isArray(children)) return [];
  return children.map((child, index) =>
    resolveVisibility(child?.visible, scope) ? (
      <NodeBoundary key={child?.id ?? `#${index}`} node={child} scope={scope} tree={tree} />
    ) : null,
  );
}

function NodeView({ node, scope }: NodeProps): JSX.Element | null {
  const tree = useContext(TreeContext)!;
  const { registry, context } = tree;
  const type = typeOf(node);
  const Rendered = Object.hasOwn(registry.components, type) ? registry.components[type] : undefined;
  if (!Rendered) return <UnknownNode node={node} />;
  if (!resolveVisibility(node.visible, scope)) return null;

  const props = resolveProps(node.props as Record<string, unknown> | undefined, scope);
  const action = node.action;
  const emit = action
    ? (payload?: Readonly<Record<string, unknown>>) => {
        void dispatchAction(action, context.actions ?? {}, {
          scope,
          node,
          ...(payload ? { payload } : {}),
          onError: (result) =>
            report(context, {
              kind: 'action_failed',
              nodeId: idOf(node),
              nodeType: type,
              error: result.error,
              action: result,
            }),
        });
      }
    : undefined;
  const content = (
    <Rendered node={node} props={props} emit={emit} theme={registry.theme}>
      {renderChildren(node, scope, tree)}
    </Rendered>
  );
  const Path = isContainer(type) ? PathComponent : PathElement;
  return (
    <Path name={idOf(node)} impression={context.impressions !== false}>
      {content}
    </Path>
  );
}

/** The root of a rendered spec: shares the context, injects the stylesheet, sets variables. */
function SpecTree({
  node,
  context,
  className,
}: {
  node: SpecNode;
  context: RenderContext;
  className?: string | undefined;
}): JSX.Element {
  const registry = registryOf(context);
  const reported = useRef(new Set<string>()).current;
  const tree = useMemo(() => ({ registry, context, reported }), [registry, context, reported]);
  useInsertionEffect(() => {
    if (registry.stylesheet) injectStylesheet(registry.stylesheet, registry.nonce);
  }, [registry]);
  const scope = context.scope ?? EMPTY_SCOPE;
  return (
    <TreeContext.Provider value={tree}>
      <div className={className ? `fui-root ${className}` : 'fui-root'} style={registry.style}>
        {resolveVisibility(node?.visible, scope) ? (
          <NodeBoundary node={node} scope={scope} tree={tree} />
        ) : null}
      </div>
    </TreeContext.Provider>
  );
}

const EMPTY_SCOPE: BindingScope = Object.freeze({});

/**
 * Renders a spec node tree with a component registry. Each node:
 * - is skipped when its `visible` binding is falsy,
 * - gets its props resolved against `context.scope` (`{item.*}` and `{index}` inside a list),
 * - emits its action through `context.actions` (`dispatchAction`; failures go to `onError`),
 * - is wrapped in the path context (containers as `Component`, leaves as `Element`, named by
 *   node id), so clicks and impressions are captured like hand-written UI,
 * - sits in its own error boundary: a throwing node renders a fallback, the rest stays up.
 *
 * Unknown node types are reported once and skipped. Returns a React element; call it in JSX.
 *
 * @example
 * ```tsx
 * <main>{renderSpec(spec.root, { actions: { 'cart.add': ({ sku }) => add(sku) }, scope: data })}</main>
 * ```
 */
export function renderSpec(node: SpecNode, context: RenderContext = {}): JSX.Element {
  return <SpecTree node={node} context={context} />;
}

/** Props of {@link SpecView}. */
export interface SpecViewProps {
  /** The spec to render (from `useSpec`, `loadSpec`, or bundled). */
  spec: Spec;
  /** Registry, actions, data and error reporting. */
  context?: RenderContext;
  /** Extra class names of the root element (which always has `fui-root`). */
  className?: string;
}

/**
 * Renders a whole spec (see {@link renderSpec}). The root element carries the `fui-root` class
 * and the registry's theme variables.
 *
 * @example
 * ```tsx
 * const { spec } = useSpec('promo', { baseline, verifier });
 * return <SpecView spec={spec} context={{ actions, scope: data, onError: console.warn }} />;
 * ```
 */
export function SpecView({ spec, context, className }: SpecViewProps): JSX.Element {
  return <SpecTree node={spec.root} context={context ?? EMPTY_CONTEXT} className={className} />;
}

const EMPTY_CONTEXT: RenderContext = Object.freeze({});
