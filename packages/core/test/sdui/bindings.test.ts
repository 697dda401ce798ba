import {
  createItemScope,
  isBindingRef,
  isValidTemplate,
  resolveBinding,
  resolveProps,
  resolveTextWithBindings,
  resolveVisibility,
} from '@factoredui/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const scope = {
  user: { name: 'Ada', age: 36, tags: ['admin', 'beta'] },
  cart: { total: 42.5, items: [{ sku: 'TEA', qty: 2 }], empty: false },
  nothing: null,
  zero: 0,
};

describe('isBindingRef', () => {
  it('accepts whole-value paths of names and indices', () => {
    for (const ref of ['{a}', '{user.name}', '{cart.items.0.sku}', '{_x.$y}', '{item}'])
      expect(isBindingRef(ref), ref).toBe(true);
  });
  it('rejects expressions, empty paths, inline text and non-strings', () => {
    for (const ref of [
      '{}',
      '{a + b}',
      '{a.}',
      '{.a}',
      '{0}',
      '{a..b}',
      '{a()}',
      'x {a}',
      '{a} ',
      '{a-b}',
      'a',
      7,
      null,
    ])
      expect(isBindingRef(ref), String(ref)).toBe(false);
  });
});

describe('resolveBinding', () => {
  it('reads nested objects and arrays, keeping the value type', () => {
    expect(resolveBinding('{user.name}', scope)).toBe('Ada');
    expect(resolveBinding('{cart.total}', scope)).toBe(42.5);
    expect(resolveBinding('{cart.items.0}', scope)).toEqual({ sku: 'TEA', qty: 2 });
    expect(resolveBinding('{user.tags.1}', scope)).toBe('beta');
    expect(resolveBinding('user.age', scope)).toBe(36);
    expect(resolveBinding('{nothing}', scope)).toBeNull();
    expect(resolveBinding('{zero}', scope)).toBe(0);
  });
  it('returns undefined for missing steps and primitives', () => {
    expect(resolveBinding('{user.missing.deep}', scope)).toBeUndefined();
    expect(resolveBinding('{cart.items.5.sku}', scope)).toBeUndefined();
    expect(resolveBinding('{user.name.length}', scope)).toBeUndefined();
    expect(resolveBinding('{nothing.x}', scope)).toBeUndefined();
    expect(resolveBinding('{user}', undefined)).toBeUndefined();
  });
  it('never reaches prototypes, constructors or getters', () => {
    expect(resolveBinding('{constructor.name}', scope)).toBeUndefined();
    expect(resolveBinding('{__proto__.toString}', scope)).toBeUndefined();
    expect(resolveBinding('{user.constructor}', scope)).toBeUndefined();
    // An array's length is its own data property, so it resolves (useful as "{items.length} items").
    expect(resolveBinding('{user.tags.length}', scope)).toBe(2);
    expect(resolveBinding('{user.hasOwnProperty}', scope)).toBeUndefined();
    let called = false;
    const withGetter = Object.defineProperty({}, 'secret', {
      get: () => {
        called = true;
        return 'leak';
      },
      enumerable: true,
    });
    expect(resolveBinding('{secret}', withGetter)).toBeUndefined();
    expect(called).toBe(false);
    const inherited = Object.create({ inherited: 'no' }) as Record<string, unknown>;
    expect(resolveBinding('{inherited}', inherited)).toBeUndefined();
  });
  it('reads an own "__proto__" key from JSON data as plain data', () => {
    const data = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(resolveBinding('{__proto__.x}', data)).toBe(1);
  });
  it('rejects malformed paths', () => {
    expect(resolveBinding('{user..name}', scope)).toBeUndefined();
    expect(resolveBinding('user["name"]', scope)).toBeUndefined();
  });
});

describe('resolveTextWithBindings', () => {
  it('replaces inline bindings and renders values as text', () => {
    expect(resolveTextWithBindings('Hi {user.name}, total {cart.total}', scope)).toBe(
      'Hi Ada, total 42.5',
    );
    expect(resolveTextWithBindings('{cart.empty} {zero} [{nothing}] [{missing}]', scope)).toBe(
      'false 0 [] []',
    );
    expect(resolveTextWithBindings('{user.tags}', scope)).toBe('["admin","beta"]');
  });
  it('treats doubled braces as literal braces', () => {
    expect(resolveTextWithBindings('{{user.name}} is {user.name}', scope)).toBe(
      '{user.name} is Ada',
    );
    expect(resolveTextWithBindings('a }} b {{', scope)).toBe('a } b {');
  });
  it('leaves malformed tokens as written and never evaluates them', () => {
    expect(resolveTextWithBindings('{a + b} {constructor.name}', scope)).toBe('{a + b} ');
  });
  it('round-trips any text whose braces are escaped', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const escaped = raw.replaceAll('{', '{{').replaceAll('}', '}}');
        expect(isValidTemplate(escaped)).toBe(true);
        expect(resolveTextWithBindings(escaped, scope)).toBe(raw);
      }),
    );
  });
});

describe('resolveProps', () => {
  it('resolves whole values with their type, inline text, nested objects and arrays', () => {
    const resolved = resolveProps(
      {
        content: 'Total: {cart.total}',
        value: '{cart.total}',
        options: [{ label: '{user.name}', value: '{user.age}' }],
        nested: { deep: ['{user.tags}', 3, true, null] },
      },
      scope,
    );
    expect(resolved).toEqual({
      content: 'Total: 42.5',
      value: 42.5,
      options: [{ label: 'Ada', value: 36 }],
      nested: { deep: [['admin', 'beta'], 3, true, null] },
    });
  });
  it('does not mutate the props and keeps "__proto__" keys as plain keys', () => {
    const props = JSON.parse(
      '{"__proto__": {"polluted": "{user.name}"}, "a": "{user.name}"}',
    ) as Record<string, unknown>;
    const resolved = resolveProps(props, scope);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(resolved, '__proto__')).toBe(true);
    expect(props.a).toBe('{user.name}');
  });
  it('returns an empty object for no props', () => {
    expect(resolveProps(undefined, scope)).toEqual({});
  });
});

describe('item scope and visibility', () => {
  it('puts item and index in scope for list templates, shadowing the parent', () => {
    const itemScope = createItemScope({ ...scope, item: 'outer' }, { name: 'Tea', price: 3 }, 4);
    expect(resolveTextWithBindings('#{index} {item.name} by {user.name}', itemScope)).toBe(
      '#4 Tea by Ada',
    );
  });
  it('shows nodes by literal or by truthiness of the bound value', () => {
    expect(resolveVisibility(undefined, scope)).toBe(true);
    expect(resolveVisibility(false, scope)).toBe(false);
    expect(resolveVisibility('{user.name}', scope)).toBe(true);
    expect(resolveVisibility('{cart.empty}', scope)).toBe(false);
    expect(resolveVisibility('{missing}', scope)).toBe(false);
    expect(resolveVisibility('{user.tags}', scope)).toBe(true);
    expect(resolveVisibility('{empty}', { empty: [] })).toBe(false);
  });
});
