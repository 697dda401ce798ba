import type { Spec, SpecNode } from '@factoredui/core';
import { type SpecHost, SpecNodes, type SpecRenderOptions } from '@factoredui/react/spec';
import type { JSX } from 'react';
import { View, type ViewStyle } from 'react-native';
import { Component as PathComponent, Element as PathElement } from '../path.js';
import { createComponentRegistry, type NativeComponentRegistry } from './registry.js';

/** How the native {@link renderSpec} renders: registry, actions, data and error reporting. */
export interface NativeRenderContext extends SpecRenderOptions {
  /** Components by node type. Default: `createComponentRegistry()` with the default theme. */
  registry?: NativeComponentRegistry;
}

let defaultRegistry: NativeComponentRegistry | null = null;
function registryOf(context: NativeRenderContext): NativeComponentRegistry {
  if (context.registry) return context.registry;
  if (!defaultRegistry) defaultRegistry = createComponentRegistry();
  return defaultRegistry;
}

/** React Native's side of the shared renderer: native path views; a failed node shows nothing. */
const NATIVE_HOST: SpecHost = {
  Container: PathComponent,
  Leaf: PathElement,
  failed: () => null,
};

function SpecTree({
  node,
  context,
  style,
}: {
  node: SpecNode;
  context: NativeRenderContext;
  style?: ViewStyle | undefined;
}): JSX.Element {
  return (
    <View style={style}>
      <SpecNodes node={node} registry={registryOf(context)} options={context} host={NATIVE_HOST} />
    </View>
  );
}

/**
 * Renders a spec node tree with native components: the renderer shared with
 * `@factoredui/sdui-react` (visibility, bound props, actions, list templates, one error
 * boundary per node), with every node in a native path view named by its id, so taps, rage
 * taps and impressions of spec-rendered UI are captured like hand-written UI.
 *
 * @example
 * ```tsx
 * <ScrollView>{renderSpec(spec.root, { actions: { 'cart.add': ({ sku }) => add(sku) }, scope })}</ScrollView>
 * ```
 */
export function renderSpec(node: SpecNode, context: NativeRenderContext = {}): JSX.Element {
  return <SpecTree node={node} context={context} />;
}

/** Props of the native {@link SpecView}. */
export interface NativeSpecViewProps {
  /** The spec to render (from `useSpec`, `loadSpec`, or bundled). */
  spec: Spec;
  /** Registry, actions, data and error reporting. */
  context?: NativeRenderContext;
  /** Style of the root view. */
  style?: ViewStyle;
}

const EMPTY_CONTEXT: NativeRenderContext = Object.freeze({});

/**
 * Renders a whole spec (see {@link renderSpec}) in a root `View`.
 *
 * @example
 * ```tsx
 * const { spec } = useSpec('promo', { baseline, verifier });
 * return <SpecView spec={spec} context={{ actions, scope: data, onError: reportIssue }} />;
 * ```
 */
export function SpecView({ spec, context, style }: NativeSpecViewProps): JSX.Element {
  return <SpecTree node={spec.root} context={context ?? EMPTY_CONTEXT} style={style} />;
}
