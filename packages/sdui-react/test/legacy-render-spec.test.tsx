// @vitest-environment jsdom
import { convertSpecFrom05, isFactoredError, type SpecNode } from '@factoredui/core';
import { createComponentRegistry, renderSpec } from '@factoredui/sdui-react';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

// renderSpec's 0.5.1 context ({ components, actions, data }) rendered blank markup (issue #21):
// it now throws `legacy_call` naming the current form, which works.

afterEach(cleanup);

/** A 0.5 spec node: `text.value`, `{ action }`, data bound from `data`. */
const node05 = {
  id: 'col',
  type: 'column',
  children: [
    { id: 'title', type: 'text', props: { value: 'Hello {user.name}' } },
    {
      id: 'buy',
      type: 'button',
      props: { label: 'Buy' },
      action: { action: 'cart.add', params: { sku: '{item.sku}' } },
    },
  ],
};

function thrown(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('renderSpec, 0.5.1 form (MIGRATING.md row 24)', () => {
  it('24. renderSpec(node, { components, actions, data }) -> legacy_call naming the current form; the current form works', async () => {
    const add = vi.fn();
    const legacyContext = {
      components: { text: (props: { value: string }) => props.value },
      actions: { 'cart.add': add },
      data: { user: { name: 'Ada' }, item: { sku: 'TEA-1' } },
    };
    const error = thrown(() => renderSpec(node05 as never, legacyContext as never));
    expect(isFactoredError(error, 'legacy_call')).toBe(true);
    expect((error as Error).message).toContain('renderSpec(node, { registry, actions, scope })');
    expect((error as Error).message).toContain('convertSpecFrom05');
    // `data` alone (a half-migrated call) is refused too, never rendered blank.
    expect(
      isFactoredError(
        thrown(() => renderSpec(node05 as never, { data: {} } as never)),
        'legacy_call',
      ),
    ).toBe(true);

    // The current form: the converted spec, the default registry, the data as scope.
    const converted = convertSpecFrom05({ spec_version: 1, renderer_min: 1, root: node05 });
    render(
      renderSpec(converted.spec.root as SpecNode, {
        registry: createComponentRegistry(),
        actions: { 'cart.add': add },
        scope: legacyContext.data,
      }),
    );
    expect(screen.getByText('Hello Ada')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Buy' }));
    expect(add).toHaveBeenCalledWith({ sku: 'TEA-1' }, expect.anything());
  });
});
