import type { Platform } from '../capture/types.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { COMMON_PROPS, NODE_TYPE_DEFINITIONS, NodeType } from './node-types.js';

/**
 * The newest spec format renderers of this release understand. A spec whose `renderer_min` is
 * higher is rejected (`renderer_too_old`) and the loader falls back to an older spec. Bumped
 * whenever a node type, prop or semantic is added that older renderers would mis-render.
 */
export const RENDERER_VERSION = 1;

/** The only `spec_version` this release reads: the shape `{ spec_version, renderer_min, root }`. */
export const SPEC_VERSION = 1;

/** Deepest allowed nesting of nodes; the root is at depth 1. */
export const MAX_SPEC_DEPTH = 20;

/**
 * A whole-value binding: `"{path.to.value}"`. Resolved against the render scope (host data,
 * data sources, `{item.*}` inside a list template). Paths are dot-separated identifiers or
 * array indices; there are no expressions.
 */
export type BindingRef = `{${string}}`;

/** A named action with parameters; parameter strings may hold bindings. */
export interface SpecAction {
  /** The handler name the host registered, e.g. `cart.add`. */
  name: string;
  /** Parameters, resolved against the scope before the handler runs. */
  params?: { [key: string]: JsonValue };
}

type PropDefinitions = typeof NODE_TYPE_DEFINITIONS;
type PropValueOf<D> = D extends { kind: 'text' }
  ? string
  : D extends { kind: 'number' }
    ? number | BindingRef
    : D extends { kind: 'boolean' }
      ? boolean | BindingRef
      : D extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V | BindingRef
        : D extends { kind: 'binding' }
          ? BindingRef
          : D extends { kind: 'options' }
            ? { label: string; value: JsonValue }[] | BindingRef
            : D extends { kind: 'texts' }
              ? string[] | BindingRef
              : JsonValue;
type PropsFrom<P> = {
  -readonly [K in keyof P as P[K] extends { required: true } ? K : never]: PropValueOf<P[K]>;
} & {
  -readonly [K in keyof P as P[K] extends { required: true } ? never : K]?: PropValueOf<P[K]>;
};

/** The props of node type `T`, derived from the node type catalog (common props included). */
export type NodeProps<T extends NodeType> = PropsFrom<PropDefinitions[T]['props']> &
  PropsFrom<typeof COMMON_PROPS>;

type HasRequiredProps<T extends NodeType> = true extends {
  [K in keyof PropDefinitions[T]['props']]: PropDefinitions[T]['props'][K] extends {
    required: true;
  }
    ? true
    : false;
}[keyof PropDefinitions[T]['props']]
  ? true
  : false;

/** Fields every node has. */
export interface SpecNodeBase<T extends NodeType = NodeType> {
  /**
   * Unique in the whole spec (templates included). Letters, digits, `_ . : -`, starting with a
   * letter or digit, at most 64 characters: it names the node in component paths.
   */
  id: string;
  type: T;
  /** A boolean, or a binding resolved to a truthy/falsy value. Hidden nodes render nothing. */
  visible?: boolean | BindingRef;
  /** What pressing or changing the node does. */
  action?: SpecAction;
}

/** The `children` field of container nodes. */
export interface SpecChildrenField {
  /** Child nodes, rendered in order. */
  children?: SpecNode[];
}

/** The `itemTemplate` field of a list. */
export interface SpecItemTemplateField {
  /** Rendered once per item of the list's `data`, with `{item.*}` and `{index}` in scope. */
  itemTemplate: SpecNode;
}

type ChildrenFieldOf<T extends NodeType> = PropDefinitions[T]['children'] extends 'many'
  ? SpecChildrenField
  : PropDefinitions[T]['children'] extends 'template'
    ? SpecItemTemplateField
    : unknown;

/** A node of type `T`, with its typed props and children rules. */
export type SpecNodeOf<T extends NodeType> = SpecNodeBase<T> &
  (HasRequiredProps<T> extends true ? { props: NodeProps<T> } : { props?: NodeProps<T> }) &
  ChildrenFieldOf<T>;

/** Any node of a spec: a discriminated union on `type`. */
export type SpecNode =
  | SpecNodeOf<'column'>
  | SpecNodeOf<'row'>
  | SpecNodeOf<'stack'>
  | SpecNodeOf<'scrollview'>
  | SpecNodeOf<'grid'>
  | SpecNodeOf<'text'>
  | SpecNodeOf<'image'>
  | SpecNodeOf<'icon'>
  | SpecNodeOf<'divider'>
  | SpecNodeOf<'spacer'>
  | SpecNodeOf<'textinput'>
  | SpecNodeOf<'button'>
  | SpecNodeOf<'toggle'>
  | SpecNodeOf<'select'>
  | SpecNodeOf<'slider'>
  | SpecNodeOf<'card'>
  | SpecNodeOf<'list'>
  | SpecNodeOf<'tabs'>
  | SpecNodeOf<'modal'>
  | SpecNodeOf<'chip'>;

/** A server-driven UI spec. */
export interface Spec {
  /** Optional JSON Schema reference for editors; ignored by the engine. */
  $schema?: string;
  /** Format version; always {@link SPEC_VERSION} in this release. */
  spec_version: typeof SPEC_VERSION;
  /** Oldest {@link RENDERER_VERSION} that renders this spec correctly. */
  renderer_min: number;
  /** The node tree. */
  root: SpecNode;
}

/**
 * A signed spec as stored and transported.
 *
 * What is signed: the UTF-8 bytes of the RFC 8785 canonical JSON of
 * `{ domain: "factoredui.spec.v2", spec_hash, signed_at, key_id, name, platform, version }`
 * (see `specSigningPayload`). So the signature covers the content (through its hash, which
 * includes `renderer_min`), the signing time and key, the slot (name and platform) and the
 * version: none of them can be swapped without invalidating it. An envelope without a slot
 * or version ("unbound", as FactoredUI 0.5 wrote them) is invalid. Hashes and signatures are
 * lowercase hex.
 */
export interface SignedSpecEnvelope {
  /** The spec as JSON. Kept as plain JSON so a store may hold formats newer than this code. */
  spec: JsonObject;
  /** Hex SHA-256 of the RFC 8785 canonical JSON of `spec` (so `renderer_min` is signed too). */
  spec_hash: string;
  /** Hex Ed25519 signature (64 bytes) of the signing payload. */
  signature: string;
  /** When it was signed, ISO 8601 UTC. Signed, and used as a second rollback guard. */
  signed_at: string;
  /** Which key signed it; verifiers look the public key up by this id (key rotation). */
  key_id: string;
  /** The spec name (slot) it was signed for. Signed; loaders refuse it under another name. */
  name: string;
  /** The platform it was signed for. Signed; loaders refuse it on another platform. */
  platform: Platform;
  /**
   * The version it was signed as: an integer from 1 to `LIMITS.specVersionMax`. Signed; the
   * store saves it under exactly this version, and clients take their rollback floor from it,
   * never from the store's label.
   */
  version: number;
}

/** A stored spec version. Immutable once saved. */
export interface StoredSpec {
  name: string;
  platform: Platform;
  /** The envelope's signed version (increasing per (name, platform); gaps allowed). */
  version: number;
  envelope: SignedSpecEnvelope;
  /** When the version was saved, ISO 8601 UTC. */
  createdAt: string;
}
