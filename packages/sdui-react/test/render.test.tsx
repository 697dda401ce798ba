// @vitest-environment jsdom
import type { Spec, SpecNode } from '@factoredui/core';
import { FactoredProvider, Flow, Page, type ReactCapture, useCapture } from '@factoredui/react';
import {
  createComponentRegistry,
  renderSpec,
  type SpecRenderIssue,
  SpecView,
} from '@factoredui/sdui-react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './fixtures.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const spec = (root: SpecNode): Spec => ({ spec_version: 1, renderer_min: 1, root });

describe('renderSpec', () => {
  it('hides nodes whose visible binding is falsy and shows them when it turns truthy', () => {
    const root: SpecNode = {
      id: 'col',
      type: 'column',
      children: [
        { id: 'promo', type: 'text', visible: '{user.vip}', props: { content: 'VIP price' } },
        { id: 'cart', type: 'text', visible: '{cart.items}', props: { content: 'Your cart' } },
        { id: 'never', type: 'text', visible: false, props: { content: 'Never' } },
      ],
    };
    const view = render(renderSpec(root, { scope: { user: { vip: false }, cart: { items: [] } } }));
    expect(screen.queryByText('VIP price')).toBeNull();
    expect(screen.queryByText('Your cart')).toBeNull();
    view.rerender(renderSpec(root, { scope: { user: { vip: true }, cart: { items: [1] } } }));
    expect(screen.getByText('VIP price')).toBeTruthy();
    expect(screen.getByText('Your cart')).toBeTruthy();
    expect(screen.queryByText('Never')).toBeNull();
  });

  it('wraps containers as Component and leaves as Element, named by node id', () => {
    const { container } = render(
      renderSpec({
        id: 'hero',
        type: 'card',
        props: { title: 'Hi' },
        children: [{ id: 'cta', type: 'button', props: { label: 'Go' } }],
      }),
    );
    const button = screen.getByRole('button', { name: 'Go' });
    expect(button.closest('[data-factored-element]')?.getAttribute('data-factored-element')).toBe(
      'cta',
    );
    expect(container.querySelector('[data-factored-component="hero"]')).not.toBeNull();
  });

  it('isolates a failing node: it renders a fallback, the rest stays, onError hears once', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // React 18 in development re-dispatches render errors as window errors; jsdom would log them.
    const quiet = (event: ErrorEvent) => event.preventDefault();
    window.addEventListener('error', quiet);
    const issues: SpecRenderIssue[] = [];
    const registry = createComponentRegistry(
      {},
      {
        components: {
          chip: () => {
            throw new Error('chip exploded');
          },
        },
      },
    );
    render(
      renderSpec(
        {
          id: 'row',
          type: 'row',
          children: [
            { id: 'before', type: 'text', props: { content: 'Before' } },
            { id: 'bad', type: 'chip', props: { label: 'x' } },
            { id: 'after', type: 'button', props: { label: 'After' } },
          ],
        },
        {
          registry,
          onError: (issue) => issues.push(issue),
          renderFallback: (issue) => <em>unavailable: {issue.nodeId}</em>,
        },
      ),
    );
    expect(screen.getByText('Before')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'After' })).toBeTruthy();
    expect(screen.getByText('unavailable: bad')).toBeTruthy();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'render_failed', nodeId: 'bad', nodeType: 'chip' });
    expect(issues[0]?.error.code).toBe('internal');
    expect(issues[0]?.error.message).toContain('chip exploded');
    window.removeEventListener('error', quiet);
  });

  it('reports unknown types once and skips them', async () => {
    const issues: SpecRenderIssue[] = [];
    const root = {
      id: 'col',
      type: 'column',
      children: [
        { id: 'a', type: 'carousel' },
        { id: 'b', type: 'carousel' },
        { id: 'ok', type: 'text', props: { content: 'Still here' } },
      ],
    } as unknown as SpecNode;
    const context = { onError: (issue: SpecRenderIssue) => issues.push(issue) };
    const view = render(<SpecView spec={spec(root)} context={context} />);
    view.rerender(<SpecView spec={spec(root)} context={{ ...context }} />);
    expect(screen.getByText('Still here')).toBeTruthy();
    await waitFor(() => expect(issues).toHaveLength(1));
    expect(issues[0]).toMatchObject({ kind: 'unknown_type', nodeType: 'carousel', nodeId: 'a' });
    expect(issues[0]?.error.code).toBe('invalid_input');
  });

  it('reports an action without a handler and a failing handler', async () => {
    const issues: SpecRenderIssue[] = [];
    render(
      renderSpec(
        {
          id: 'row',
          type: 'row',
          children: [
            { id: 'nohandler', type: 'button', props: { label: 'A' }, action: { name: 'missing' } },
            { id: 'failing', type: 'button', props: { label: 'B' }, action: { name: 'boom' } },
          ],
        },
        {
          actions: {
            boom: () => {
              throw new Error('handler failed');
            },
          },
          onError: (issue) => issues.push(issue),
        },
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'A' }));
    await userEvent.click(screen.getByRole('button', { name: 'B' }));
    await waitFor(() => expect(issues).toHaveLength(2));
    expect(issues.map((i) => [i.kind, i.nodeId, i.action?.status])).toEqual([
      ['action_failed', 'nohandler', 'unknown_action'],
      ['action_failed', 'failing', 'failed'],
    ]);
  });

  it('resolves {item.*} params of actions inside list templates', async () => {
    const calls: unknown[] = [];
    render(
      renderSpec(
        {
          id: 'products',
          type: 'list',
          props: { data: '{products}', itemKey: 'sku' },
          itemTemplate: {
            id: 'add',
            type: 'button',
            props: { label: 'Add {item.name}' },
            action: { name: 'cart.add', params: { sku: '{item.sku}', at: '{index}' } },
          },
        },
        {
          scope: {
            products: [
              { sku: 'A1', name: 'Tea' },
              { sku: 'B2', name: 'Cup' },
            ],
          },
          actions: { 'cart.add': (params) => void calls.push(params) },
        },
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add Cup' }));
    expect(calls).toEqual([{ sku: 'B2', at: 1 }]);
  });
});

let captured: ReactCapture | null = null;
function GrabCapture() {
  captured = useCapture();
  return null;
}

describe('capture of spec-rendered UI', () => {
  it('stores a click on a spec button with a path ending in the node id', async () => {
    const { user, service } = createStores();
    render(
      <FactoredProvider store={user} capture={{ storage: null, flushIntervalMs: 60_000 }}>
        <GrabCapture />
        <Flow name="shop">
          <Page name="home">
            <SpecView
              spec={spec({
                id: 'promo-banner',
                type: 'row',
                children: [
                  { id: 'title', type: 'text', props: { content: 'Spring sale' } },
                  { id: 'shop-now', type: 'button', props: { label: 'Shop now' } },
                ],
              })}
            />
          </Page>
        </Flow>
      </FactoredProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Shop now' }));
    await act(async () => {
      await captured!.flushEvents();
    });
    const clicks = await service.listEvents({ types: ['click'] });
    expect(clicks.map((event) => event.path)).toEqual(['shop/home/promo-banner/shop-now']);
    const impressions = await service.listEvents({ types: ['impression'] });
    expect(impressions.map((event) => event.path)).toContain('shop/home/promo-banner');
  });
});
