import {
  assertValidSpec,
  dispatchAction,
  FactoredError,
  MAX_SPEC_DEPTH,
  NODE_TYPES,
  type NodeType,
  type Spec,
  type SpecNode,
  validateSpec,
} from '@factoredui/core';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { EVERY_TYPE_SPEC } from './corpus.js';

describe('validateSpec', () => {
  it('accepts a spec using all 20 node types and narrows it', () => {
    const result = validateSpec(EVERY_TYPE_SPEC);
    expect(result.errors).toEqual([]);
    if (!result.valid) throw new Error('expected valid');
    expectTypeOf(result.spec).toEqualTypeOf<Spec>();
    const types = new Set<string>();
    const walk = (node: SpecNode) => {
      types.add(node.type);
      if ('children' in node) node.children?.forEach(walk);
      if ('itemTemplate' in node) walk(node.itemTemplate);
    };
    walk(result.spec.root);
    expect([...types].sort()).toEqual([...NODE_TYPES].sort());
  });

  it('reports every error with its node path and id, not just the first', () => {
    const result = validateSpec({
      spec_version: 1,
      renderer_min: 1,
      root: {
        id: 'root',
        type: 'column',
        children: [
          { id: 'a', type: 'text', props: { content: 'ok' } },
          { id: 'a', type: 'text', props: { content: 'Hi {name + 1}' } },
          { id: 'l', type: 'list', props: { data: '{rows}' } },
          { id: 'b', type: 'button', props: { label: 'Go' }, action: { params: { x: 1 } } },
          { id: 'g', type: 'gallery' },
        ],
      },
    });
    expect(result.valid).toBe(false);
    expect(result.errors.map(({ code, path, nodeId }) => ({ code, path, nodeId }))).toEqual([
      { code: 'duplicate_id', path: '/root/children/1/id', nodeId: 'a' },
      { code: 'malformed_binding', path: '/root/children/1/props/content', nodeId: 'a' },
      { code: 'missing_item_template', path: '/root/children/2/itemTemplate', nodeId: 'l' },
      { code: 'missing_action_name', path: '/root/children/3/action/name', nodeId: 'b' },
      { code: 'unknown_type', path: '/root/children/4/type', nodeId: 'g' },
    ]);
    expect(result.errors[0]?.message).toContain('/root/children/0');
    expect(result.errors[4]?.message).toContain('column');
  });

  it('reports depth beyond 20 once, at the first node too deep', () => {
    let node: Record<string, unknown> = { id: 'leaf', type: 'spacer' };
    for (let d = 0; d < 30; d++) node = { id: `c${d}`, type: 'column', children: [node] };
    const result = validateSpec({ spec_version: 1, renderer_min: 1, root: node });
    const depth = result.errors.filter((e) => e.code === 'depth_exceeded');
    expect(depth).toHaveLength(1);
    expect(depth[0]?.path.split('/children/').length).toBe(MAX_SPEC_DEPTH + 1);
  });

  it('survives a hostile, very deep spec without overflowing the stack', () => {
    let node: Record<string, unknown> = { id: 'leaf', type: 'spacer' };
    for (let d = 0; d < 50_000; d++) node = { id: `c${d}`, type: 'column', children: [node] };
    const result = validateSpec({ spec_version: 1, renderer_min: 1, root: node });
    // Refused by the JSON limits (LIMITS.jsonDepth) before any recursive walk.
    expect(result.errors.map((e) => e.code)).toEqual(['too_large']);
    expect(result.errors[0]?.message).toContain('levels deep; the limit is 64');
    // Within the JSON limits, the node depth rule still applies.
    let shallow: Record<string, unknown> = { id: 'leaf', type: 'spacer' };
    for (let d = 0; d < 25; d++) shallow = { id: `c${d}`, type: 'column', children: [shallow] };
    const nodes = validateSpec({ spec_version: 1, renderer_min: 1, root: shallow });
    expect(nodes.errors.map((e) => e.code)).toEqual(['depth_exceeded']);
  });

  it('checks renderer_min against the renderer version given', () => {
    const spec = { spec_version: 1, renderer_min: 2, root: { id: 'a', type: 'spacer' } };
    expect(validateSpec(spec).errors.map((e) => e.code)).toEqual(['renderer_too_old']);
    expect(validateSpec(spec, { rendererVersion: 2 }).valid).toBe(true);
  });

  it('assertValidSpec throws invalid_input listing the problems', () => {
    const bad = { spec_version: 1, renderer_min: 1, root: { id: 'x', type: 'text' } };
    expect(() => assertValidSpec(bad)).toThrowError(FactoredError);
    try {
      assertValidSpec(bad);
    } catch (error) {
      expect((error as FactoredError).code).toBe('invalid_input');
      expect((error as FactoredError).message).toContain('/root/props');
      expect((error as FactoredError).details?.errors).toHaveLength(1);
    }
  });

  it('types props per node type', () => {
    expectTypeOf<Extract<SpecNode, { type: 'slider' }>['props']>().toHaveProperty('min');
    expectTypeOf<NodeType>().toEqualTypeOf<SpecNode['type']>();
    // @ts-expect-error a text node requires props.content
    const missing: SpecNode = { id: 'a', type: 'text', props: {} };
    // @ts-expect-error a list requires an itemTemplate
    const noTemplate: SpecNode = { id: 'l', type: 'list', props: { data: '{rows}' } };
    expect([missing, noTemplate]).toHaveLength(2);
  });
});

describe('dispatchAction', () => {
  it('runs the named handler with params resolved against the scope and the UI payload', async () => {
    const handler = vi.fn();
    const node: SpecNode = { id: 'qty', type: 'slider', props: { label: 'Qty', min: 1, max: 5 } };
    const result = await dispatchAction(
      { name: 'cart.set', params: { sku: '{item.sku}', qty: '{event.value}', note: 'for {user}' } },
      { 'cart.set': handler },
      { scope: { item: { sku: 'TEA' }, user: 'Ada' }, payload: { value: 3 }, node },
    );
    expect(result).toEqual({
      status: 'handled',
      name: 'cart.set',
      params: { sku: 'TEA', qty: 3, note: 'for Ada' },
    });
    expect(handler).toHaveBeenCalledWith(
      { sku: 'TEA', qty: 3, note: 'for Ada' },
      expect.objectContaining({ payload: { value: 3 }, node }),
    );
  });

  it('accepts a Map of handlers', async () => {
    const handler = vi.fn();
    const result = await dispatchAction({ name: 'go' }, new Map([['go', handler]]));
    expect(result.status).toBe('handled');
    expect(handler).toHaveBeenCalledOnce();
  });

  it('reports unknown actions instead of throwing, never reaching Object.prototype', async () => {
    const onError = vi.fn();
    for (const name of ['missing', 'constructor', 'toString', 'hasOwnProperty']) {
      const result = await dispatchAction({ name }, {}, { onError });
      expect(result.status).toBe('unknown_action');
      if (result.status !== 'handled') expect(result.error.code).toBe('not_found');
    }
    expect(onError).toHaveBeenCalledTimes(4);
  });

  it('reports malformed actions and failing handlers (sync and async) without throwing', async () => {
    const invalid = await dispatchAction({ name: '' }, {});
    expect(invalid.status).toBe('invalid_action');
    const sync = await dispatchAction(
      { name: 'boom' },
      {
        boom: () => {
          throw new Error('kaput');
        },
      },
    );
    expect(sync.status).toBe('failed');
    if (sync.status === 'failed') expect(sync.error.cause).toBeInstanceOf(Error);
    const async = await dispatchAction(
      { name: 'boom' },
      { boom: async () => Promise.reject(new Error('later')) },
      {
        onError: () => {
          throw new Error('a failing reporter is contained too');
        },
      },
    );
    expect(async.status).toBe('failed');
  });
});
