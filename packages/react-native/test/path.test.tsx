import { useComponentPath } from '@factoredui/react';
import {
  Component,
  createReactNativeAdapter,
  Element,
  FactoredProvider,
  FactoredScrollView,
  Flow,
  Page,
} from '@factoredui/react-native';
import { cleanup, fireEvent, render, screen } from '@testing-library/react-native';
import { Text } from 'react-native';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advance, createStores, eventsOf } from './helpers.js';
import {
  __listenerCounts,
  __placeInWindow,
  __setAppState,
  __setWindow,
} from './react-native/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-03-02T09:00:00.000Z') });
  __setAppState('active');
  __setWindow({ width: 390, height: 844 });
});
afterEach(async () => {
  await cleanup();
  // Let unmounted providers stop their capture (on the next task) before the clock goes.
  await vi.advanceTimersByTimeAsync(0);
  vi.clearAllTimers();
  vi.useRealTimers();
});

function ShowPath() {
  return <Text testID="path">{useComponentPath() ?? 'none'}</Text>;
}

const layout = (x: number, y: number, width = 100, height = 40) => ({
  nativeEvent: { layout: { x, y, width, height } },
});

describe('native path components', () => {
  it('build the path with the same rule as the DOM components, without a provider too', async () => {
    await render(
      <Flow name="checkout">
        <Page name="review">
          <Component name="payment-form">
            <Element name="submit">
              <ShowPath />
            </Element>
          </Component>
        </Page>
      </Flow>,
    );
    expect(screen.getByTestId('path')).toHaveTextContent('checkout/review/payment-form/submit');
    await screen.rerender(
      <Component name="card">
        <Page name="other">
          <ShowPath />
        </Page>
      </Component>,
    );
    // A page inside a component drops the component (as resolveComponentPath does).
    expect(screen.getByTestId('path')).toHaveTextContent('other');
  });

  it('reject a bad segment with invalid_input', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(render(<Component name="a/b" />)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    spy.mockRestore();
  });

  it('record one impression when the view is on screen; off-screen content waits for a scroll', async () => {
    const { user, service } = createStores();
    const impressions = async () => {
      await advance(200);
      return (await eventsOf(service, 'impression')).map((event) => [event.path, event.payload]);
    };
    await render(
      <FactoredProvider
        store={user}
        adapter={createReactNativeAdapter({ storage: null })}
        capture={{ flushIntervalMs: 10 }}
      >
        <Flow name="shop" impression={false}>
          <Component name="hero" testID="hero" impression={{ variant: 'b' }}>
            <Text>Sale</Text>
          </Component>
          <FactoredScrollView testID="list">
            <Component name="footer" testID="footer">
              <Text>Footer</Text>
            </Component>
          </FactoredScrollView>
        </Flow>
      </FactoredProvider>,
    );
    // Not laid out yet: no area, no impression.
    expect(await impressions()).toEqual([]);
    await fireEvent(screen.getByTestId('hero'), 'layout', layout(0, 100));
    await fireEvent(screen.getByTestId('hero'), 'layout', layout(0, 120)); // relayout: still one
    // Below the window (844 dp tall): not seen.
    await fireEvent(screen.getByTestId('footer'), 'layout', layout(0, 1200));
    expect(await impressions()).toEqual([['shop/hero', { variant: 'b' }]]);

    // Scrolled into view without a new layout: nothing until the scroll view reports a scroll.
    __placeInWindow('footer', { x: 0, y: 700, width: 100, height: 40 });
    expect(await impressions()).toHaveLength(1);
    await fireEvent.scroll(screen.getByTestId('list'), {
      nativeEvent: { contentOffset: { y: 400 } },
    });
    expect(await impressions()).toEqual([
      ['shop/hero', { variant: 'b' }],
      ['shop/footer', {}],
    ]);
    await fireEvent.scroll(screen.getByTestId('list'), {
      nativeEvent: { contentOffset: { y: 0 } },
    });
    expect(await impressions()).toHaveLength(2);
    __placeInWindow('footer', null);
  });

  it('a rotation makes views measure again; the provider leaves no listener behind', async () => {
    const { user, service } = createStores();
    await render(
      <FactoredProvider
        store={user}
        adapter={createReactNativeAdapter({ storage: null })}
        capture={{ flushIntervalMs: 10 }}
      >
        <Component name="side-panel" testID="panel">
          <Text>Panel</Text>
        </Component>
      </FactoredProvider>,
    );
    // Right of a portrait window (390 dp wide).
    await fireEvent(screen.getByTestId('panel'), 'layout', layout(500, 100));
    await advance(200);
    expect(await eventsOf(service, 'impression')).toHaveLength(0);
    __setWindow({ width: 844, height: 390 });
    await advance(200);
    expect((await eventsOf(service, 'impression')).map((event) => event.path)).toEqual([
      'side-panel',
    ]);
    await screen.unmount();
    await advance(0);
    expect(__listenerCounts()).toEqual({ appState: 0, dimensions: 0 });
  });
});
