import { FactoredError } from '../errors.js';
import { warnLegacyOnce } from '../legacy/calls.js';
import { jsonLimitProblem, LIMITS } from '../limits.js';
import { isBindingRef, isValidTemplate } from './bindings.js';
import {
  COMMON_PROPS,
  NODE_TYPE_DEFINITIONS,
  NODE_TYPES,
  type NodeTypeDefinition,
  type PropDefinition,
} from './node-types.js';
import { MAX_SPEC_DEPTH, RENDERER_VERSION, SPEC_VERSION, type Spec } from './types.js';

/** Why a spec is invalid. Stable: match on these, not on messages. */
export type SpecErrorCode =
  | 'invalid_spec'
  | 'unsupported_spec_version'
  | 'invalid_renderer_min'
  | 'renderer_too_old'
  | 'missing_root'
  | 'unknown_field'
  | 'invalid_node'
  | 'unknown_type'
  | 'missing_id'
  | 'invalid_id'
  | 'duplicate_id'
  | 'depth_exceeded'
  | 'invalid_visible'
  | 'malformed_binding'
  | 'invalid_props'
  | 'missing_prop'
  | 'unknown_prop'
  | 'invalid_prop'
  | 'invalid_children'
  | 'unexpected_children'
  | 'missing_item_template'
  | 'unexpected_item_template'
  | 'invalid_action'
  | 'missing_action_name'
  | 'tabs_mismatch'
  | 'too_large';

/**
 * Rules that look across the tree and that JSON Schema cannot state: unique ids, nesting
 * depth, and tab labels matching tab panels. The published JSON Schema checks everything
 * else; `validateSpec` checks all of it.
 */
export const TREE_RULES: readonly SpecErrorCode[] = [
  'duplicate_id',
  'depth_exceeded',
  'tabs_mismatch',
  'too_large',
];

/** One problem of a spec. */
export interface SpecValidationError {
  code: SpecErrorCode;
  /** JSON Pointer to the offending value, e.g. `/root/children/2/props/label`. */
  path: string;
  /** Id of the nearest node, when known. */
  nodeId?: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** The outcome of {@link validateSpec}. */
export type SpecValidationResult =
  | { valid: true; spec: Spec; errors: [] }
  | { valid: false; errors: SpecValidationError[] };

/** Options of {@link validateSpec}. */
export interface ValidateSpecOptions {
  /** The renderer version to check `renderer_min` against. Default {@link RENDERER_VERSION}. */
  rendererVersion?: number;
}

/** Node ids: they name nodes in component paths, so no `/` and no control characters. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** Action names: `cart.add`, `navigate`, `filters:toggle`. */
export const ACTION_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;
// Beyond this, validation stops descending, so a hostile spec cannot exhaust the stack.
const HARD_DEPTH_LIMIT = 200;

const SPEC_FIELDS = new Set(['$schema', 'spec_version', 'renderer_min', 'root']);
const NODE_FIELDS = new Set([
  'id',
  'type',
  'props',
  'children',
  'itemTemplate',
  'visible',
  'action',
]);
const ACTION_FIELDS = new Set(['name', 'params']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pointer = (base: string, key: string | number) =>
  `${base}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

const quote = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

class Collector {
  readonly errors: SpecValidationError[] = [];
  readonly ids = new Map<string, string>();
  depthReported = false;

  add(code: SpecErrorCode, path: string, message: string, nodeId?: string): void {
    this.errors.push(
      nodeId === undefined ? { code, path, message } : { code, path, nodeId, message },
    );
  }
}

/** Problems of a JSON value where every string is a template (params, `value` props). */
function checkValue(value: unknown, path: string, c: Collector, nodeId: string | undefined): void {
  if (typeof value === 'string') {
    if (!isValidTemplate(value)) {
      c.add(
        'malformed_binding',
        path,
        `${quote(value)} has a malformed binding: use {path.to.value} with dot-separated names or indices (no expressions), and write a literal brace as {{ or }}.`,
        nodeId,
      );
    }
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) c.add('invalid_prop', path, 'numbers must be finite.', nodeId);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkValue(item, pointer(path, i), c, nodeId);
    });
    return;
  }
  if (isRecord(value)) {
    for (const [key, item] of Object.entries(value))
      checkValue(item, pointer(path, key), c, nodeId);
    return;
  }
  c.add('invalid_prop', path, `${typeof value} is not a JSON value.`, nodeId);
}

function checkTemplate(
  value: unknown,
  path: string,
  c: Collector,
  nodeId: string | undefined,
  what: string,
): void {
  if (typeof value !== 'string') {
    c.add('invalid_prop', path, `${what} must be a string, got ${quote(value)}.`, nodeId);
    return;
  }
  checkValue(value, path, c, nodeId);
}

/** Checks a prop value against its definition. */
function checkProp(
  name: string,
  def: PropDefinition,
  value: unknown,
  path: string,
  c: Collector,
  nodeId: string | undefined,
): void {
  const label = `prop "${name}"`;
  if (typeof value === 'string' && def.kind !== 'text' && def.kind !== 'value') {
    // Every non-text kind accepts a whole-value binding in place of a literal.
    if (isBindingRef(value)) return;
    if (def.kind === 'binding' || value.includes('{') || value.includes('}')) {
      c.add(
        'malformed_binding',
        path,
        `${label} must be a binding like "{path.to.value}", got ${quote(value)}.`,
        nodeId,
      );
      return;
    }
  }
  switch (def.kind) {
    case 'text':
      checkTemplate(value, path, c, nodeId, label);
      return;
    case 'value':
      checkValue(value, path, c, nodeId);
      return;
    case 'binding':
      c.add(
        'malformed_binding',
        path,
        `${label} must be a binding like "{path.to.value}", got ${quote(value)}.`,
        nodeId,
      );
      return;
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!def.integer || Number.isInteger(value)) &&
        (def.minimum === undefined || value >= def.minimum);
      if (!ok) {
        const constraints = [
          def.integer ? 'a whole number' : 'a number',
          def.minimum !== undefined ? `>= ${def.minimum}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        c.add(
          'invalid_prop',
          path,
          `${label} must be ${constraints} or a binding, got ${quote(value)}.`,
          nodeId,
        );
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean')
        c.add(
          'invalid_prop',
          path,
          `${label} must be true, false or a binding, got ${quote(value)}.`,
          nodeId,
        );
      return;
    case 'enum':
      if (typeof value !== 'string' || !def.values?.includes(value))
        c.add(
          'invalid_prop',
          path,
          `${label} must be one of ${def.values?.join(', ')} or a binding, got ${quote(value)}.`,
          nodeId,
        );
      return;
    case 'texts':
      if (!Array.isArray(value)) {
        c.add(
          'invalid_prop',
          path,
          `${label} must be an array of strings or a binding, got ${quote(value)}.`,
          nodeId,
        );
        return;
      }
      value.forEach((item, i) => {
        checkTemplate(item, pointer(path, i), c, nodeId, `${label}[${i}]`);
      });
      return;
    case 'options':
      if (!Array.isArray(value)) {
        c.add(
          'invalid_prop',
          path,
          `${label} must be an array of { label, value } or a binding, got ${quote(value)}.`,
          nodeId,
        );
        return;
      }
      value.forEach((option, i) => {
        const at = pointer(path, i);
        if (!isRecord(option) || !('label' in option) || !('value' in option)) {
          c.add('invalid_prop', at, `${label}[${i}] must be an object { label, value }.`, nodeId);
          return;
        }
        for (const key of Object.keys(option)) {
          if (key !== 'label' && key !== 'value')
            c.add(
              'invalid_prop',
              pointer(at, key),
              `${label}[${i}] has an unknown field "${key}" (only label and value).`,
              nodeId,
            );
        }
        checkTemplate(option.label, pointer(at, 'label'), c, nodeId, `${label}[${i}].label`);
        checkValue(option.value, pointer(at, 'value'), c, nodeId);
      });
      return;
  }
}

function checkProps(
  def: NodeTypeDefinition,
  type: string,
  props: unknown,
  path: string,
  c: Collector,
  nodeId: string | undefined,
): void {
  const defs: Readonly<Record<string, PropDefinition>> = def.props;
  const required = Object.keys(defs).filter((name) => defs[name]?.required);
  if (props === undefined) {
    if (required.length > 0)
      c.add(
        'missing_prop',
        pointer(path, 'props'),
        `a ${type} needs props with ${required.join(', ')}.`,
        nodeId,
      );
    return;
  }
  const propsPath = pointer(path, 'props');
  if (!isRecord(props)) {
    c.add('invalid_props', propsPath, `props must be an object, got ${quote(props)}.`, nodeId);
    return;
  }
  for (const name of required) {
    if (!Object.hasOwn(props, name))
      c.add(
        'missing_prop',
        pointer(propsPath, name),
        `a ${type} requires prop "${name}": ${defs[name]?.description}`,
        nodeId,
      );
  }
  for (const [name, value] of Object.entries(props)) {
    const propDef = Object.hasOwn(defs, name)
      ? defs[name]
      : Object.hasOwn(COMMON_PROPS, name)
        ? (COMMON_PROPS as Readonly<Record<string, PropDefinition>>)[name]
        : undefined;
    if (!propDef) {
      const known = [...Object.keys(defs), ...Object.keys(COMMON_PROPS)].join(', ');
      c.add(
        'unknown_prop',
        pointer(propsPath, name),
        `a ${type} has no prop "${name}" (known: ${known}).`,
        nodeId,
      );
      continue;
    }
    checkProp(name, propDef, value, pointer(propsPath, name), c, nodeId);
  }
}

function checkAction(
  action: unknown,
  path: string,
  c: Collector,
  nodeId: string | undefined,
): void {
  if (!isRecord(action)) {
    c.add(
      'invalid_action',
      path,
      `action must be an object { name, params? }, got ${quote(action)}.`,
      nodeId,
    );
    return;
  }
  for (const key of Object.keys(action)) {
    if (!ACTION_FIELDS.has(key))
      c.add(
        'unknown_field',
        pointer(path, key),
        `an action has only name and params, not "${key}".`,
        nodeId,
      );
  }
  if (action.name === undefined || action.name === '') {
    c.add(
      'missing_action_name',
      pointer(path, 'name'),
      'an action needs a name: the handler the host registered.',
      nodeId,
    );
  } else if (typeof action.name !== 'string' || !ACTION_NAME_PATTERN.test(action.name)) {
    c.add(
      'invalid_action',
      pointer(path, 'name'),
      `action name ${quote(action.name)} must start with a letter and use letters, digits, _ . : - (at most 128 characters).`,
      nodeId,
    );
  }
  if (action.params !== undefined) {
    if (!isRecord(action.params))
      c.add('invalid_action', pointer(path, 'params'), 'action params must be an object.', nodeId);
    else checkValue(action.params, pointer(path, 'params'), c, nodeId);
  }
}

function checkNode(node: unknown, path: string, depth: number, c: Collector): void {
  if (!isRecord(node)) {
    c.add('invalid_node', path, `a node must be an object { id, type, ... }, got ${quote(node)}.`);
    return;
  }
  const nodeId = typeof node.id === 'string' && node.id.length > 0 ? node.id : undefined;
  if (depth > MAX_SPEC_DEPTH && !c.depthReported) {
    c.depthReported = true;
    c.add(
      'depth_exceeded',
      path,
      `nodes may nest at most ${MAX_SPEC_DEPTH} levels deep; flatten this subtree.`,
      nodeId,
    );
  }
  if (depth > HARD_DEPTH_LIMIT) return;

  for (const key of Object.keys(node)) {
    if (!NODE_FIELDS.has(key))
      c.add(
        'unknown_field',
        pointer(path, key),
        `a node has no field "${key}" (fields: ${[...NODE_FIELDS].join(', ')}); put component settings in props.`,
        nodeId,
      );
  }

  if (node.id === undefined || node.id === '') {
    c.add('missing_id', pointer(path, 'id'), 'every node needs a unique id.', nodeId);
  } else if (typeof node.id !== 'string' || !NODE_ID_PATTERN.test(node.id)) {
    c.add(
      'invalid_id',
      pointer(path, 'id'),
      `id ${quote(node.id)} must start with a letter or digit and use letters, digits, _ . : - (at most 64 characters).`,
      nodeId,
    );
  } else {
    const first = c.ids.get(node.id);
    if (first !== undefined)
      c.add(
        'duplicate_id',
        pointer(path, 'id'),
        `id "${node.id}" is already used at ${first}; ids must be unique in the spec.`,
        nodeId,
      );
    else c.ids.set(node.id, path);
  }

  const type = node.type;
  const def =
    typeof type === 'string' && Object.hasOwn(NODE_TYPE_DEFINITIONS, type)
      ? (NODE_TYPE_DEFINITIONS as Readonly<Record<string, NodeTypeDefinition>>)[type]
      : undefined;
  if (!def) {
    c.add(
      'unknown_type',
      pointer(path, 'type'),
      `unknown node type ${quote(type)}; expected one of ${NODE_TYPES.join(', ')}.`,
      nodeId,
    );
  } else {
    checkProps(def, type as string, node.props, path, c, nodeId);
  }
  if (!def && node.props !== undefined && !isRecord(node.props))
    c.add(
      'invalid_props',
      pointer(path, 'props'),
      `props must be an object, got ${quote(node.props)}.`,
      nodeId,
    );

  if (
    node.visible !== undefined &&
    typeof node.visible !== 'boolean' &&
    !isBindingRef(node.visible)
  ) {
    c.add(
      typeof node.visible === 'string' ? 'malformed_binding' : 'invalid_visible',
      pointer(path, 'visible'),
      `visible must be true, false or a binding like "{flags.showBanner}", got ${quote(node.visible)}.`,
      nodeId,
    );
  }
  if (node.action !== undefined) checkAction(node.action, pointer(path, 'action'), c, nodeId);

  const policy = def?.children;
  if (node.children !== undefined) {
    const childrenPath = pointer(path, 'children');
    if (policy === 'none' || policy === 'template') {
      c.add(
        'unexpected_children',
        childrenPath,
        policy === 'template'
          ? 'a list renders its itemTemplate per item; it takes no children.'
          : `a ${String(type)} takes no children.`,
        nodeId,
      );
    }
    if (!Array.isArray(node.children)) {
      c.add('invalid_children', childrenPath, 'children must be an array of nodes.', nodeId);
    } else {
      node.children.forEach((child, i) => {
        checkNode(child, pointer(childrenPath, i), depth + 1, c);
      });
    }
  }
  if (node.itemTemplate === undefined) {
    if (policy === 'template')
      c.add(
        'missing_item_template',
        pointer(path, 'itemTemplate'),
        'a list needs an itemTemplate node, rendered once per item with {item.*} in scope.',
        nodeId,
      );
  } else {
    if (def && policy !== 'template')
      c.add(
        'unexpected_item_template',
        pointer(path, 'itemTemplate'),
        `only a list has an itemTemplate, not a ${String(type)}.`,
        nodeId,
      );
    checkNode(node.itemTemplate, pointer(path, 'itemTemplate'), depth + 1, c);
  }

  if (type === 'tabs' && isRecord(node.props) && Array.isArray(node.props.labels)) {
    const panels = Array.isArray(node.children) ? node.children.length : 0;
    if (node.props.labels.length !== panels)
      c.add(
        'tabs_mismatch',
        pointer(pointer(path, 'props'), 'labels'),
        `tabs has ${node.props.labels.length} labels but ${panels} panels; give one label per child.`,
        nodeId,
      );
  }
}

/**
 * Validates a spec and returns **every** problem with its JSON Pointer path: unknown types,
 * missing or duplicate ids, malformed bindings, nesting deeper than {@link MAX_SPEC_DEPTH},
 * a `renderer_min` above the renderer's version, missing or mistyped props per node type, a
 * list without `itemTemplate`, an action without a name.
 *
 * @example
 * ```ts
 * const result = validateSpec(JSON.parse(text));
 * if (!result.valid) for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
 * ```
 */
export function validateSpec(
  spec: unknown,
  options: ValidateSpecOptions = {},
): SpecValidationResult {
  const result = validateSpecResult(spec, options);
  // 0.5.1 returned the list of errors: `.length` keeps meaning "how many problems".
  Object.defineProperty(result, 'length', {
    configurable: true,
    enumerable: false,
    get() {
      warnLegacyOnce(
        'validateSpec.length',
        'validateSpec() returns { valid, errors } now (0.5.1: a list); read .valid or .errors.length',
      );
      return result.errors.length;
    },
  });
  return result;
}

function validateSpecResult(spec: unknown, options: ValidateSpecOptions): SpecValidationResult {
  const rendererVersion = options.rendererVersion ?? RENDERER_VERSION;
  const c = new Collector();
  if (!isRecord(spec)) {
    c.add(
      'invalid_spec',
      '',
      `a spec must be an object { spec_version, renderer_min, root }, got ${quote(spec)}.`,
    );
    return { valid: false, errors: c.errors };
  }
  // Before any recursive walk: a spec nested 10,000 deep must be refused, not overflow a stack.
  const tooLarge = jsonLimitProblem(spec, 'the spec', 'specBytes');
  if (tooLarge) {
    c.add('too_large', '', `${tooLarge}.`);
    return { valid: false, errors: c.errors };
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(key))
      c.add(
        'unknown_field',
        pointer('', key),
        `a spec has no field "${key}" (fields: ${[...SPEC_FIELDS].join(', ')}).`,
      );
  }
  if (spec.$schema !== undefined && typeof spec.$schema !== 'string')
    c.add(
      'invalid_spec',
      '/$schema',
      `$schema must be a string (a schema URL), got ${quote(spec.$schema)}.`,
    );
  if (spec.spec_version !== SPEC_VERSION)
    c.add(
      'unsupported_spec_version',
      '/spec_version',
      `spec_version must be ${SPEC_VERSION}, got ${quote(spec.spec_version)}.`,
    );
  const min = spec.renderer_min;
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) {
    c.add(
      'invalid_renderer_min',
      '/renderer_min',
      `renderer_min must be a whole number >= 1, got ${quote(min)}.`,
    );
  } else if (min > rendererVersion) {
    c.add(
      'renderer_too_old',
      '/renderer_min',
      `the spec needs renderer ${min} but this renderer is version ${rendererVersion}; update the app or publish a spec with a lower renderer_min.`,
    );
  }
  if (spec.root === undefined) c.add('missing_root', '/root', 'a spec needs a root node.');
  else checkNode(spec.root, '/root', 1, c);
  return c.errors.length === 0
    ? { valid: true, spec: spec as unknown as Spec, errors: [] }
    : { valid: false, errors: c.errors };
}

/**
 * Throws `invalid_input` listing every problem (also in `details.errors`) unless `spec` is
 * valid; narrows `spec` to {@link Spec}.
 */
export function assertValidSpec(
  spec: unknown,
  options: ValidateSpecOptions = {},
): asserts spec is Spec {
  const result = validateSpec(spec, options);
  if (result.valid) return;
  const shown = result.errors.slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`);
  const more = result.errors.length > 10 ? ` (and ${result.errors.length - 10} more)` : '';
  throw new FactoredError('invalid_input', `Invalid spec: ${shown.join('; ')}${more}`, {
    details: { errors: result.errors },
  });
}

const SPEC_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,${LIMITS.specNameChars - 1}}$`);
const PLATFORM = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.platformChars}}$`);

/**
 * Why `name` cannot name a spec, or `null`: 1 to 128 letters, digits and `_ . : / -`, starting
 * with a letter or digit (e.g. `checkout-banner`, `shop/home`).
 */
export function specNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !SPEC_NAME.test(name))
    return `a spec name has 1 to 128 letters, digits and _ . : / -, starting with a letter or digit; got ${quote(name)}`;
  return null;
}

/**
 * Throws `invalid_input` unless `name` is a valid spec name and `platform` a valid platform
 * (1 to 32 letters, digits, `_` or `-`).
 */
export function assertSpecSlot(name: unknown, platform: unknown): void {
  const problem = specNameProblem(name);
  if (problem)
    throw new FactoredError('invalid_input', `${problem}.`, { details: { field: 'name' } });
  if (typeof platform !== 'string' || !PLATFORM.test(platform))
    throw new FactoredError(
      'invalid_input',
      `platform must be 1 to 32 letters, digits, _ or - (e.g. web, ios, android); got ${quote(platform)}.`,
      { details: { field: 'platform' } },
    );
}
