import { FactoredError } from '../errors.js';
import { warnLegacyOnce } from '../legacy/calls.js';
import { type BindingScope, resolveValue } from './bindings.js';
import type { SpecAction, SpecNode } from './types.js';
import { ACTION_NAME_PATTERN } from './validate.js';

/** What a handler receives besides the resolved params. */
export interface ActionContext {
  /** The action as written in the spec. */
  action: SpecAction;
  /** The node that emitted it, when the renderer passes it. */
  node?: SpecNode;
  /** What the UI reported, e.g. `{ value }` from an input, toggle, select or slider. */
  payload?: Readonly<Record<string, unknown>>;
}

/** Handles one named action. May be async; a throw or rejection is reported, not rethrown. */
export type ActionHandler = (
  params: Record<string, unknown>,
  context: ActionContext,
) => void | Promise<void>;

/** Handlers by action name, e.g. `{ 'cart.add': (p) => cart.add(p.sku) }`. */
export type ActionHandlers =
  | Readonly<Record<string, ActionHandler>>
  | ReadonlyMap<string, ActionHandler>;

/** The outcome of {@link dispatchAction}. */
export type ActionDispatchResult =
  | { status: 'handled'; name: string; params: Record<string, unknown> }
  | {
      status: 'unknown_action' | 'invalid_action' | 'failed';
      name: string;
      params: Record<string, unknown>;
      error: FactoredError;
    };

/** Options of {@link dispatchAction}. */
export interface DispatchActionOptions {
  /** Scope params are resolved against; `payload` is added to it as `event`. */
  scope?: BindingScope;
  /** The emitting node. */
  node?: SpecNode;
  /** What the UI reported (`{ value }` for inputs). */
  payload?: Readonly<Record<string, unknown>>;
  /** Called with every result that is not `handled`: log it, send it to telemetry. */
  onError?: (result: Exclude<ActionDispatchResult, { status: 'handled' }>) => void;
}

function lookup(handlers: ActionHandlers, name: string): ActionHandler | undefined {
  if (handlers instanceof Map) return handlers.get(name);
  // Own properties only: an action named "constructor" or "toString" must not reach Object.prototype.
  const record = handlers as Readonly<Record<string, ActionHandler>>;
  const handler = Object.hasOwn(record, name) ? record[name] : undefined;
  return typeof handler === 'function' ? handler : undefined;
}

/**
 * Runs the handler registered for `action.name` with its params resolved against the scope
 * (the UI payload is in scope as `{event.*}`, e.g. `{event.value}`). Never throws: an unknown
 * action, a malformed action or a failing handler comes back as a result (and goes to
 * `onError`), so one bad spec node cannot crash the UI.
 *
 * @example
 * ```ts
 * const result = await dispatchAction(
 *   { name: 'cart.add', params: { sku: '{item.sku}' } },
 *   { 'cart.add': ({ sku }) => cart.add(String(sku)) },
 *   { scope: { item: { sku: 'TEA-1' } } },
 * );
 * if (result.status !== 'handled') console.warn(result.error.message);
 * ```
 */
export async function dispatchAction(
  action: SpecAction | undefined,
  handlers: ActionHandlers,
  options: DispatchActionOptions = {},
): Promise<ActionDispatchResult> {
  // 0.5.1 overload: dispatchAction({ action, params }, registry, context).
  const legacyName = (action as { action?: unknown } | undefined)?.action;
  if (action && action.name === undefined && typeof legacyName === 'string') {
    warnLegacyOnce(
      'dispatchAction.action',
      'dispatchAction: { action, params } is the 0.5.1 action shape; write { name, params } (convertSpecFrom05 converts specs), and pass the context as { scope }',
    );
    const known = ['scope', 'node', 'payload', 'onError'];
    const isOptions = Object.keys(options).every((k) => known.includes(k));
    return dispatchAction(
      { name: legacyName, ...(action.params === undefined ? {} : { params: action.params }) },
      handlers,
      isOptions ? options : { scope: options as BindingScope },
    );
  }
  const name = typeof action?.name === 'string' ? action.name : '';
  const report = (
    status: 'unknown_action' | 'invalid_action' | 'failed',
    params: Record<string, unknown>,
    error: FactoredError,
  ): ActionDispatchResult => {
    const result = { status, name, params, error };
    try {
      options.onError?.(result);
    } catch {
      // A failing reporter must not turn a reported problem into a crash.
    }
    return result;
  };

  if (!action || !ACTION_NAME_PATTERN.test(name)) {
    return report(
      'invalid_action',
      {},
      new FactoredError(
        'invalid_input',
        `Cannot dispatch action ${JSON.stringify(action?.name)}: an action needs a name like "cart.add".`,
      ),
    );
  }
  const scope: BindingScope = options.payload
    ? { ...options.scope, event: options.payload }
    : (options.scope ?? {});
  const params = (
    action.params && typeof action.params === 'object' ? resolveValue(action.params, scope) : {}
  ) as Record<string, unknown>;
  const handler = lookup(handlers, name);
  if (!handler) {
    return report(
      'unknown_action',
      params,
      new FactoredError(
        'not_found',
        `No handler for action "${name}"; register it in the handlers passed to the renderer.`,
      ),
    );
  }
  const context: ActionContext = { action };
  if (options.node) context.node = options.node;
  if (options.payload) context.payload = options.payload;
  try {
    await handler(params, context);
    return { status: 'handled', name, params };
  } catch (cause) {
    return report(
      'failed',
      params,
      cause instanceof FactoredError
        ? cause
        : new FactoredError('internal', `The handler of action "${name}" failed.`, { cause }),
    );
  }
}
