import {
  type BindingScope,
  createItemScope,
  dispatchAction,
  FactoredError,
  NODE_TYPE_DEFINITIONS,
  resolveBinding,
  resolveProps,
  resolveVisibility,
  type SpecNode,
} from '@factoredui/core';
import {
  Component,
  createContext,
  type ErrorInfo,
  type JSX,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
} from 'react';
import type { SpecHost, SpecRegistry, SpecRenderIssue, SpecRenderOptions } from './types.js';

/** What every node of one mounted tree shares. */
interface TreeContext {
  registry: SpecRegistry;
  options: SpecRenderOptions;
  host: SpecHost;
  /** Unknown types already reported in this tree. */
  reported: Set<string>;
}

const TreeContext = createContext<TreeContext | null>(null);

const idOf = (node: SpecNode) => (typeof node?.id === 'string' && node.id ? node.id : '?');
const typeOf = (node: SpecNode) => String((node as { type?: unknown })?.type);

function report(options: SpecRenderOptions, issue: SpecRenderIssue): void {
  try {
    options.onError?.(issue);
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

const PENDING: SpecRenderIssue = {
  kind: 'render_failed',
  nodeId: '?',
  nodeType: '?',
  error: new FactoredError('internal', 'pending'),
};

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
    report(tree.options, issue);
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
    const { options, host } = this.props.tree;
    if (options.renderFallback && issue !== PENDING) return options.renderFallback(issue);
    return host.failed(idOf(this.props.node));
  }
}

/** Reports an unknown node type once per tree, after commit, and renders nothing. */
function UnknownNode({ node }: { node: SpecNode }): null {
  const tree = useContext(TreeContext)!;
  const type = typeOf(node);
  useEffect(() => {
    if (tree.reported.has(type)) return;
    tree.reported.add(type);
    report(tree.options, {
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
  const { registry, options, host } = tree;
  const type = typeOf(node);
  const Rendered = Object.hasOwn(registry.components, type) ? registry.components[type] : undefined;
  if (!Rendered) return <UnknownNode node={node} />;
  if (!resolveVisibility(node.visible, scope)) return null;

  const props = resolveProps(node.props as Record<string, unknown> | undefined, scope);
  const action = node.action;
  const emit = action
    ? (payload?: Readonly<Record<string, unknown>>) => {
        void dispatchAction(action, options.actions ?? {}, {
          scope,
          node,
          ...(payload ? { payload } : {}),
          onError: (result) =>
            report(options, {
              kind: 'action_failed',
              nodeId: idOf(node),
              nodeType: type,
              error: result.error,
              action: result,
            }),
        });
      }
    : undefined;
  const Path = isContainer(type) ? host.Container : host.Leaf;
  return (
    <Path name={idOf(node)} impression={options.impressions !== false}>
      <Rendered node={node} props={props} emit={emit} theme={registry.theme}>
        {renderChildren(node, scope, tree)}
      </Rendered>
    </Path>
  );
}

const EMPTY_SCOPE: BindingScope = Object.freeze({});

/** Props of {@link SpecNodes}. */
export interface SpecNodesProps {
  /** The root node of the tree to render. */
  node: SpecNode;
  /** The components and theme. */
  registry: SpecRegistry;
  /** Actions, scope, error reporting. */
  options: SpecRenderOptions;
  /** The platform's path wrappers and failure placeholder. */
  host: SpecHost;
}

/**
 * The renderer shared by every platform (`@factoredui/sdui-react` on React DOM,
 * `@factoredui/react-native` on native views); platforms add their root element and registry.
 * Each node:
 * - is skipped when its `visible` binding is falsy,
 * - gets its props resolved against `options.scope` (`{item.*}` and `{index}` inside a list),
 * - emits its action through `options.actions` (`dispatchAction`; failures go to `onError`),
 * - is wrapped in the host's path wrapper (containers as `Component`, leaves as `Element`,
 *   named by node id), so taps, clicks and impressions are captured like hand-written UI,
 * - sits in its own error boundary: a throwing node renders a fallback, the rest stays up.
 *
 * Unknown node types are reported once per tree and skipped.
 */
export function SpecNodes({ node, registry, options, host }: SpecNodesProps): JSX.Element | null {
  const reported = useRef(new Set<string>()).current;
  const tree = useMemo(
    () => ({ registry, options, host, reported }),
    [registry, options, host, reported],
  );
  const scope = options.scope ?? EMPTY_SCOPE;
  return (
    <TreeContext.Provider value={tree}>
      {resolveVisibility(node?.visible, scope) ? (
        <NodeBoundary node={node} scope={scope} tree={tree} />
      ) : null}
    </TreeContext.Provider>
  );
}
