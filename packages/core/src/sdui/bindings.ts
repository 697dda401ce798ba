import type { BindingRef } from './types.js';

/**
 * Bindings: `{path.to.value}` references into the render scope. A path is an identifier
 * followed by dot-separated identifiers or array indices. There is no expression language, on
 * purpose: a spec is data from a server, and data must not run code.
 *
 * Resolution reads **own data properties only**: `{constructor.name}`, `{__proto__.x}`,
 * `{user.name.length}` and getters resolve to nothing, so a spec cannot reach prototypes or
 * trigger host code.
 */

const IDENT = '[A-Za-z_$][A-Za-z0-9_$]*';
const SEGMENT = `(?:${IDENT}|0|[1-9][0-9]*)`;

/** Source of the binding path grammar (without braces). */
export const BINDING_PATH_SOURCE = `${IDENT}(?:\\.${SEGMENT})*`;
/** Source of a whole-value binding: `{path}`. */
export const BINDING_REF_SOURCE = `^\\{${BINDING_PATH_SOURCE}\\}$`;
/**
 * Source of a text template: any text where every brace is part of a `{path}` binding or is
 * escaped by doubling (`{{` renders `{`, `}}` renders `}`).
 */
export const TEMPLATE_SOURCE = `^(?:[^{}]|\\{\\{|\\}\\}|\\{${BINDING_PATH_SOURCE}\\})*$`;

const BINDING_REF = new RegExp(BINDING_REF_SOURCE);
const BINDING_PATH = new RegExp(`^${BINDING_PATH_SOURCE}$`);
const TEMPLATE = new RegExp(TEMPLATE_SOURCE);
const TOKEN = new RegExp(`\\{(${BINDING_PATH_SOURCE})\\}`, 'y');

/** Values a binding scope holds: host state, data source results, `item` in list templates. */
export type BindingScope = Readonly<Record<string, unknown>>;

/** True when `value` is a whole-value binding such as `"{cart.total}"`. */
export function isBindingRef(value: unknown): value is BindingRef {
  return typeof value === 'string' && BINDING_REF.test(value);
}

/**
 * True when `value` is a well-formed text template: every `{` or `}` belongs to a binding or
 * is doubled. Plain text without braces is a template too.
 */
export function isValidTemplate(value: string): boolean {
  return TEMPLATE.test(value);
}

/** An own data property of `target`, or `undefined`. Never reads prototypes or getters. */
function ownValue(target: unknown, key: string): unknown {
  if (target === null || typeof target !== 'object') return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * Resolves a binding against `scope`: `"{user.name}"` (or the bare path `"user.name"`) reads
 * `scope.user.name`. Returns `undefined` when the path is malformed or any step is missing, is
 * not an own data property, or crosses a primitive. The value is returned as is (numbers stay
 * numbers, arrays stay arrays).
 *
 * @example
 * ```ts
 * resolveBinding('{cart.items.0.name}', { cart: { items: [{ name: 'Tea' }] } }); // 'Tea'
 * resolveBinding('{constructor.name}', {}); // undefined
 * ```
 */
export function resolveBinding(ref: string, scope: BindingScope | undefined): unknown {
  const path = isBindingRef(ref) ? ref.slice(1, -1) : ref;
  if (typeof path !== 'string' || !BINDING_PATH.test(path)) return undefined;
  let current: unknown = scope;
  for (const segment of path.split('.')) {
    current = ownValue(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

/** How a resolved value appears inside text: empty for nothing, JSON for objects. */
function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      try {
        return JSON.stringify(value) ?? '';
      } catch {
        return '';
      }
    default:
      return '';
  }
}

/**
 * Replaces every `{path}` in `text` with the resolved value (strings as is, numbers and
 * booleans as text, objects as JSON, missing values as empty text); `{{` and `}}` render
 * literal braces. A malformed token (such as `{a + b}`) is left as written; `validateSpec`
 * reports it.
 *
 * @example
 * ```ts
 * resolveTextWithBindings('Hi {user.name}, {{braces}}', { user: { name: 'Ada' } });
 * // 'Hi Ada, {braces}'
 * ```
 */
export function resolveTextWithBindings(text: string, scope: BindingScope | undefined): string {
  if (!text.includes('{') && !text.includes('}')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{') {
      if (text[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      TOKEN.lastIndex = i;
      const match = TOKEN.exec(text);
      if (match) {
        out += toText(resolveBinding(match[1] as string, scope));
        i += match[0].length;
        continue;
      }
    } else if (ch === '}' && text[i + 1] === '}') {
      out += '}';
      i += 2;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

/**
 * Resolves one prop value: a whole-value binding becomes the bound value (any type), other
 * strings have their inline bindings replaced, arrays and plain objects are resolved element by
 * element. Anything else is returned unchanged.
 */
export function resolveValue(value: unknown, scope: BindingScope | undefined): unknown {
  if (typeof value === 'string') {
    if (isBindingRef(value)) return resolveBinding(value, scope);
    return resolveTextWithBindings(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveValue(item, scope)]),
    );
  }
  return value;
}

/**
 * Resolves every value of a node's `props` against `scope` (see {@link resolveValue}).
 *
 * @example
 * ```ts
 * resolveProps({ content: 'Total: {cart.total}', value: '{cart.total}' }, { cart: { total: 42 } });
 * // { content: 'Total: 42', value: 42 }
 * ```
 */
export function resolveProps(
  props: Readonly<Record<string, unknown>> | undefined,
  scope: BindingScope | undefined,
): Record<string, unknown> {
  if (!props) return {};
  return resolveValue(props, scope) as Record<string, unknown>;
}

/**
 * The scope inside a list template: the parent scope plus `item` (the current element) and
 * `index` (its position), so the template can bind `{item.name}` and `{index}`.
 */
export function createItemScope(
  scope: BindingScope | undefined,
  item: unknown,
  index: number,
): BindingScope {
  return { ...scope, item, index };
}

/**
 * Whether a node is shown: `visible` absent or `true` shows it; `false` hides it; a binding
 * shows it when the bound value is truthy (a non-empty array counts as truthy, an empty one
 * does not).
 */
export function resolveVisibility(
  visible: boolean | string | undefined,
  scope: BindingScope | undefined,
): boolean {
  if (visible === undefined) return true;
  if (typeof visible === 'boolean') return visible;
  const value = resolveBinding(visible, scope);
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
