import { FactoredError, type Spec, type SpecNode } from '@factoredui/core';
import { Component as PathComponent, Element as PathElement } from '@factoredui/react';
import { type SpecHost, SpecNodes } from '@factoredui/react/spec';
import { type JSX, useInsertionEffect } from 'react';
import { createComponentRegistry } from './registry.js';
import { injectStylesheet } from './styles.js';
import type { ComponentRegistry, RenderContext } from './types.js';

let defaultRegistry: ComponentRegistry | null = null;
function registryOf(context: RenderContext): ComponentRegistry {
  if (context.registry) return context.registry;
  if (!defaultRegistry) defaultRegistry = createComponentRegistry();
  return defaultRegistry;
}

/** React DOM's side of the shared renderer: `display: contents` path wrappers. */
const DOM_HOST: SpecHost = {
  Container: PathComponent,
  Leaf: PathElement,
  failed: (nodeId) => <span hidden data-fui-failed={nodeId} />,
};

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
  useInsertionEffect(() => {
    if (registry.stylesheet) injectStylesheet(registry.stylesheet, registry.nonce);
  }, [registry]);
  return (
    <div className={className ? `fui-root ${className}` : 'fui-root'} style={registry.style}>
      <SpecNodes node={node} registry={registry} options={context} host={DOM_HOST} />
    </div>
  );
}

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
 * The 0.5.1 context (`{ components, actions, data }`) throws `legacy_call` naming this form.
 *
 * @example
 * ```tsx
 * <main>{renderSpec(spec.root, { actions: { 'cart.add': ({ sku }) => add(sku) }, scope: data })}</main>
 * ```
 */
export function renderSpec(node: SpecNode, context: RenderContext = {}): JSX.Element {
  // The 0.5.1 context ({ components, actions, data }) would render nothing: say so instead.
  if ('components' in context || 'data' in context)
    throw new FactoredError(
      'legacy_call',
      'renderSpec(node, { components, actions, data }) is the FactoredUI 0.5.1 form; use renderSpec(node, { registry, actions, scope }) (registry: createComponentRegistry(), whose components take { node, props, children, emit }; scope: your data; 0.5 specs: convertSpecFrom05). MIGRATING.md lists every change.',
    );
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
