import { NODE_TYPES, type Spec, type SpecNode, validateSpec } from '@factoredui/core';
import {
  createComponentRegistry,
  createReactNativeAdapter,
  FactoredProvider,
  Flow,
  type SpecComponentProps,
  type SpecRenderIssue,
  SpecView,
} from '@factoredui/react-native';
import { cleanup, fireEvent, render, screen } from '@testing-library/react-native';
import { Text } from 'react-native';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advance, createStores, eventsOf } from './helpers.js';
import { __setAppState } from './react-native/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-03-02T09:00:00.000Z') });
  __setAppState('active');
});
afterEach(async () => {
  await cleanup();
  await vi.advanceTimersByTimeAsync(0);
  vi.clearAllTimers();
  vi.useRealTimers();
});

const txt = (id: string, content: string): SpecNode => ({ id, type: 'text', props: { content } });

/** One node of each of the 20 types, each labelled, the inputs with actions. */
const everyType: Spec = {
  spec_version: 1,
  renderer_min: 1,
  root: {
    id: 'promo',
    type: 'column',
    props: { accessibilityLabel: 'Promotion', testId: 'column', gap: 2 },
    children: [
      {
        id: 'r',
        type: 'row',
        props: { accessibilityLabel: 'Badges', testId: 'row' },
        children: [txt('r1', 'Row content')],
      },
      {
        id: 's',
        type: 'stack',
        props: { accessibilityLabel: 'Layers', testId: 'stack' },
        children: [txt('s1', 'Back layer'), txt('s2', 'Front layer')],
      },
      {
        id: 'sv',
        type: 'scrollview',
        props: { accessibilityLabel: 'Scroller', testId: 'scrollview' },
        children: [txt('sv1', 'Scrolled')],
      },
      {
        id: 'g',
        type: 'grid',
        props: { columns: 2, accessibilityLabel: 'Colours', testId: 'grid' },
        children: [txt('g1', 'Red'), txt('g2', 'Blue'), txt('g3', 'Green')],
      },
      { id: 'title', type: 'text', props: { content: 'Summer sale', variant: 'title' } },
      { id: 'body', type: 'text', props: { content: 'Up to {discount}% off' } },
      { id: 'img', type: 'image', props: { src: 'https://example.com/beach.png', alt: 'A beach' } },
      { id: 'ic', type: 'icon', props: { name: 'star', label: 'Favourite' } },
      {
        id: 'd',
        type: 'divider',
        props: { accessibilityLabel: 'Section break', testId: 'divider' },
      },
      { id: 'sp', type: 'spacer', props: { size: 2, testId: 'spacer' } },
      {
        id: 'email',
        type: 'textinput',
        props: { label: 'Email', inputType: 'email' },
        action: { name: 'form.email', params: { value: '{event.value}' } },
      },
      {
        id: 'buy',
        type: 'button',
        props: { label: 'Buy now' },
        action: { name: 'cart.buy', params: { sku: 'TEA-1' } },
      },
      {
        id: 'news',
        type: 'toggle',
        props: { label: 'Newsletter' },
        action: { name: 'form.news', params: { value: '{event.value}' } },
      },
      {
        id: 'size',
        type: 'select',
        props: {
          label: 'Size',
          options: [
            { label: 'Small', value: 's' },
            { label: 'Medium', value: 'm' },
          ],
        },
        action: { name: 'form.size', params: { value: '{event.value}' } },
      },
      {
        id: 'qty',
        type: 'slider',
        props: { label: 'Quantity', min: 1, max: 5, value: 2 },
        action: { name: 'form.qty', params: { value: '{event.value}' } },
      },
      {
        id: 'deal',
        type: 'card',
        props: { title: 'Deal of the day', testId: 'card' },
        children: [txt('deal-text', 'Green tea')],
      },
      {
        id: 'items',
        type: 'list',
        props: { data: '{items}', itemKey: 'sku', accessibilityLabel: 'Products', testId: 'list' },
        itemTemplate: { id: 'item', type: 'text', props: { content: '{item.name}' } },
      },
      {
        id: 'tb',
        type: 'tabs',
        props: { labels: ['Details', 'Reviews'], accessibilityLabel: 'Product tabs' },
        children: [txt('tab-details', 'Details panel'), txt('tab-reviews', 'Reviews panel')],
      },
      {
        id: 'terms',
        type: 'modal',
        props: { title: 'Terms', open: '{termsOpen}', testId: 'modal' },
        action: { name: 'terms.close' },
        children: [txt('terms-text', 'Read carefully')],
      },
      {
        id: 'new',
        type: 'chip',
        props: { label: 'New', selected: true },
        action: { name: 'filter.new' },
      },
    ],
  },
};

/** A registry component that always throws (isolation test). */
function Broken(_: SpecComponentProps): never {
  throw new Error('broken chip');
}

/** A host component that shows the theme tokens it receives. */
function Swatch({ theme }: SpecComponentProps) {
  return <Text testID="swatch">{`${theme.colors.primary} ${theme.spacing}`}</Text>;
}

const scope = {
  discount: 30,
  items: [
    { sku: 'a', name: 'Sencha' },
    { sku: 'b', name: 'Matcha' },
  ],
  termsOpen: true,
};

describe('the 20 primitives on native views', () => {
  it('the test spec is valid and uses every node type', () => {
    expect(validateSpec(everyType)).toMatchObject({ valid: true });
    const types = new Set<string>();
    const walk = (node: SpecNode) => {
      types.add(node.type);
      for (const child of (node as { children?: SpecNode[] }).children ?? []) walk(child);
      const template = (node as { itemTemplate?: SpecNode }).itemTemplate;
      if (template) walk(template);
    };
    walk(everyType.root);
    expect([...types].sort()).toEqual([...NODE_TYPES].sort());
  });

  it('render with their accessibility roles and labels', async () => {
    const issues: SpecRenderIssue[] = [];
    await render(<SpecView spec={everyType} context={{ scope, onError: (i) => issues.push(i) }} />);
    expect(issues).toEqual([]);

    // Announced elements: found the way a screen reader finds them.
    expect(screen.getByRole('heading', { name: 'Summer sale' })).toBeOnTheScreen();
    expect(screen.getByRole('text', { name: 'Up to 30% off' })).toBeOnTheScreen();
    expect(screen.getByRole('img', { name: 'A beach' })).toBeOnTheScreen();
    expect(screen.getByRole('img', { name: 'Favourite' })).toBeOnTheScreen();
    expect(screen.getByLabelText('Email')).toHaveProp('keyboardType', 'email-address');
    expect(screen.getByRole('button', { name: 'Buy now' })).toBeEnabled();
    expect(screen.getByRole('switch', { name: 'Newsletter' })).not.toBeChecked();
    expect(screen.getByRole('radio', { name: 'Small' })).not.toBeChecked();
    expect(screen.getByRole('radio', { name: 'Medium' })).toBeOnTheScreen();
    expect(screen.getByRole('slider', { name: 'Quantity' })).toHaveAccessibilityValue({
      min: 1,
      max: 5,
      now: 2,
    });
    expect(screen.getByRole('tab', { name: 'Details' })).toBeSelected();
    expect(screen.getByRole('tab', { name: 'Reviews' })).not.toBeSelected();
    expect(screen.getByRole('button', { name: 'Close' })).toBeOnTheScreen();
    expect(screen.getByRole('button', { name: 'New' })).toBeSelected();

    // Containers carry a role and a label but are not single accessibility elements (their
    // children stay reachable one by one), so they are checked on the view itself.
    const container = (testId: string, role: string, label: string) => {
      const view = screen.getByTestId(testId);
      expect(view.props.role).toBe(role);
      expect(view.props.accessibilityLabel).toBe(label);
      expect(view.props.accessible).not.toBe(true);
    };
    container('column', 'group', 'Promotion');
    container('row', 'group', 'Badges');
    container('stack', 'group', 'Layers');
    container('scrollview', 'region', 'Scroller');
    container('grid', 'grid', 'Colours');
    container('list', 'list', 'Products');
    container('modal', 'dialog', 'Terms');
    expect(screen.getByTestId('card').props).toMatchObject({
      role: 'group',
      accessibilityLabel: 'Deal of the day',
    });
    expect(screen.getByTestId('divider').props.role).toBe('separator');
    expect(screen.getByTestId('spacer').props).toMatchObject({ role: 'none', accessible: false });
    expect(screen.getByTestId('list')).toHaveTextContent('SenchaMatcha');
    expect(screen.getByTestId('grid')).toHaveTextContent('RedBlueGreen');
  });

  it('inputs emit their action with { value }; the host owns state', async () => {
    const calls: [string, unknown][] = [];
    const record = (name: string) => (params: Record<string, unknown>) => {
      calls.push([name, params.value ?? params.sku]);
    };
    await render(
      <SpecView
        spec={everyType}
        context={{
          scope,
          actions: {
            'form.email': record('email'),
            'cart.buy': record('buy'),
            'form.news': record('news'),
            'form.size': record('size'),
            'form.qty': record('qty'),
            'terms.close': record('terms'),
            'filter.new': record('chip'),
          },
        }}
      />,
    );
    await fireEvent.changeText(screen.getByLabelText('Email'), 'a@b.co');
    await fireEvent.press(screen.getByRole('button', { name: 'Buy now' }));
    await fireEvent(screen.getByRole('switch', { name: 'Newsletter' }), 'valueChange', true);
    await fireEvent.press(screen.getByRole('radio', { name: 'Medium' }));
    await fireEvent(screen.getByRole('slider', { name: 'Quantity' }), 'accessibilityAction', {
      nativeEvent: { actionName: 'increment' },
    });
    await fireEvent.press(screen.getByRole('button', { name: 'Close' }));
    await fireEvent.press(screen.getByRole('button', { name: 'New' }));
    await fireEvent.press(screen.getByRole('tab', { name: 'Reviews' }));
    await advance(0);
    expect(calls).toEqual([
      ['email', 'a@b.co'],
      ['buy', 'TEA-1'],
      ['news', true],
      ['size', 'm'],
      ['qty', 3],
      ['terms', undefined],
      ['chip', undefined],
    ]);
    expect(screen.getByRole('radio', { name: 'Medium' })).toBeChecked();
    expect(screen.getByRole('tab', { name: 'Reviews' })).toBeSelected();
    expect(screen.getByText('Reviews panel')).toBeOnTheScreen();
  });

  it('a spec button press is captured with its node-id path, and one failing node is isolated', async () => {
    const { user, service } = createStores();
    const bought: unknown[] = [];
    const registry = createComponentRegistry(
      { colors: { primary: '#0b7a5b' } },
      { components: { chip: Broken } },
    );
    const issues: SpecRenderIssue[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    await render(
      <FactoredProvider
        store={user}
        adapter={createReactNativeAdapter({ storage: null })}
        capture={{ flushIntervalMs: 10 }}
      >
        <Flow name="home" impression={false}>
          <SpecView
            spec={everyType}
            context={{
              registry,
              scope,
              impressions: false,
              actions: { 'cart.buy': ({ sku }) => void bought.push(sku) },
              onError: (issue) => issues.push(issue),
            }}
          />
        </Flow>
      </FactoredProvider>,
    );
    spy.mockRestore();
    expect(issues.map((issue) => [issue.kind, issue.nodeId])).toEqual([['render_failed', 'new']]);
    const button = screen.getByRole('button', { name: 'Buy now' });
    // The theme token reached the native style.
    expect(button).toHaveStyle({ backgroundColor: '#0b7a5b' });
    // What a finger does: touch start and end on the button, then the press.
    await fireEvent(button, 'touchStart', { nativeEvent: { pageX: 80, pageY: 500 } });
    await fireEvent(button, 'touchEnd', { nativeEvent: { pageX: 80, pageY: 500 } });
    await fireEvent.press(button);
    await advance(200);
    expect(bought).toEqual(['TEA-1']);
    const clicks = await eventsOf(service, 'click');
    expect(clicks.map((event) => event.path)).toEqual(['home/promo/buy']);
  });

  it('a host component reads the same theme tokens as the DOM registry', async () => {
    const registry = createComponentRegistry(
      { colors: { primary: '#123456' }, spacing: 6 },
      { components: { divider: Swatch } },
    );
    await render(<SpecView spec={everyType} context={{ registry, scope }} />);
    expect(screen.getByTestId('swatch')).toHaveTextContent('#123456 6');
  });
});
